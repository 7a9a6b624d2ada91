/**
 * "Convert to ONNX" of PyTorch models: one entry per model (running, the
 * result, or the error), kept while the window is open so the model view and
 * the Migration tour read the same conversion. The lab opens the converted
 * repository itself; its event brings the new repository into the tree.
 */
import { defineStore } from 'pinia';
import type { OnnxConversion } from '@contract/lab-api';
import { errorText, useBackend } from '../api/client';

export interface ConversionEntry {
  running: boolean;
  /** When the running conversion started (Date.now()), for the elapsed time. */
  startedAt?: number;
  result?: OnnxConversion;
  error?: string;
}

/** A largest absolute difference as the model view and the tour show it: 0, 2.98e-8, or ∞ (Infinity, which JSON carries as null). */
export function formatDiff(x: number | null): string {
  if (x === 0) return '0';
  return typeof x === 'number' && Number.isFinite(x) ? x.toExponential(2) : '∞';
}

export function conversionKey(repoId: string, model: string): string {
  return `${repoId}/${model}`;
}

export const useConvertStore = defineStore('convert', {
  state: () => ({
    conversions: {} as Record<string, ConversionEntry>,
  }),
  actions: {
    async convert(repoId: string, model: string): Promise<void> {
      const key = conversionKey(repoId, model);
      if (this.conversions[key]?.running) return;
      this.conversions[key] = { running: true, startedAt: Date.now() };
      try {
        const result = await useBackend().call('convertToOnnx', { repoId, model });
        this.conversions[key] = { running: false, result };
      } catch (err) {
        this.conversions[key] = { running: false, error: errorText(err) };
      }
    },
    dismissError(repoId: string, model: string): void {
      const e = this.conversions[conversionKey(repoId, model)];
      if (e) delete e.error;
    },
  },
});
