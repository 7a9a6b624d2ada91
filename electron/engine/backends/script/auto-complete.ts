/**
 * The config object a script's autoCompleteConfig(config) receives: Triton's
 * Python ModelConfig helper (add_input, set_max_batch_size, …) over the
 * config in Triton's JSON shape.
 */
import { TritonError } from './pb-utils';
import type { ConfigJson } from './protocol';

type Io = { name: string; data_type: string; dims: number[]; optional?: boolean; [k: string]: unknown };

function checkIo(kind: 'input' | 'output', io: unknown): Io {
  const o = io as Partial<Io> | null;
  if (!o || typeof o !== 'object') throw new TritonError(`model ${kind} must be an object`);
  if (typeof o.name !== 'string' || !o.name) throw new TritonError(`model ${kind} must have a name property`);
  if (typeof o.data_type !== 'string') throw new TritonError(`model ${kind} '${o.name}' must have a data_type property`);
  if (!Array.isArray(o.dims)) throw new TritonError(`model ${kind} '${o.name}' must have a dims property`);
  return { ...o, data_type: o.data_type.startsWith('TYPE_') ? o.data_type : `TYPE_${o.data_type}` } as Io;
}

export function configHelper(config: ConfigJson) {
  const c = structuredClone(config);
  const list = (key: 'input' | 'output'): Io[] => ((c[key] as Io[] | undefined) ??= []);
  return {
    as_dict: (): ConfigJson => c,
    max_batch_size: (): number => Number(c['max_batch_size'] ?? 0),
    set_max_batch_size(n: number): void {
      if (!Number.isInteger(n) || n < 0) throw new TritonError('max_batch_size must be a non-negative integer');
      c['max_batch_size'] = n;
    },
    set_dynamic_batching(): void {
      if (c['sequence_batching'])
        throw new TritonError('Configuration specified scheduling_choice as sequence_batching, but auto-complete-config function for model tries to set it to dynamic_batching');
      c['dynamic_batching'] ??= {};
    },
    add_input(io: unknown): void {
      const i = checkIo('input', io);
      const existing = list('input').find((x) => x.name === i.name);
      if (existing) {
        if (existing.data_type !== i.data_type || JSON.stringify(existing.dims) !== JSON.stringify(i.dims)) {
          throw new TritonError(`model input '${i.name}' is already in the config with a different data_type or dims`);
        }
        return;
      }
      list('input').push(i);
    },
    add_output(io: unknown): void {
      const o = checkIo('output', io);
      if (!list('output').some((x) => x.name === o.name)) list('output').push(o);
    },
    set_model_transaction_policy(policy: { decoupled?: boolean }): void {
      c['model_transaction_policy'] = { decoupled: Boolean(policy?.decoupled) };
    },
  };
}
