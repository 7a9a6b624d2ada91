/** The ONNX graph being inspected: its summary, what is selected, the find query. Extended by the graph view. */
import { defineStore } from 'pinia';
import type { GraphSummary } from '@contract/lab-api';

export type GraphSelection = { kind: 'model' } | { kind: 'node'; name: string } | { kind: 'value'; name: string } | { kind: 'initializer'; name: string };

export const useGraphStore = defineStore('graph', {
  state: () => ({
    summary: undefined as GraphSummary | undefined,
    loading: false,
    error: '',
    selection: { kind: 'model' } as GraphSelection,
    findQuery: '',
  }),
});
