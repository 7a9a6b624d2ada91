/** An ensemble run in step mode and the last run's timeline. Extended by the step-through view. */
import { defineStore } from 'pinia';
import type { StepRunState } from '@contract/lab-api';

export const useStepStore = defineStore('step', {
  state: () => ({
    /** The step run being driven, or the last one (finished, stopped or failed). */
    state: undefined as StepRunState | undefined,
    busy: false,
    error: '',
    /** The edge (ensemble tensor name) whose tensor is shown. */
    selectedEdge: '',
  }),
});
