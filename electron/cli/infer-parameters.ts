/**
 * `model-lab infer … --request-parameter name:value:type`: request parameters from the command
 * line, in perf_analyzer's spelling (`--request-parameter`, type `bool`, `int` or `string`), so a
 * command copied between the two tools means the same. They go through the lab's run checks
 * (reserved names, bounds), the same ones the playground's editor uses.
 */
import { runParameters } from '../engine/runs/runs';
import type { Parameters } from '../engine/runtime/types';
import { UsageError } from './args';

/** One `name:value:type`; the value may hold ':' (the first and the last ':' split it). */
function parseOne(spec: string): [string, string | number | boolean] {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  if (first <= 0 || last === first) throw new UsageError(`--request-parameter expects name:value:type (type bool, int or string), got '${spec}'`);
  const name = spec.slice(0, first);
  const value = spec.slice(first + 1, last);
  const type = spec.slice(last + 1);
  if (type === 'string') return [name, value];
  if (type === 'bool') {
    if (value !== 'true' && value !== 'false') throw new UsageError(`--request-parameter ${name}: a bool is true or false, got '${value}'`);
    return [name, value === 'true'];
  }
  if (type === 'int') {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--request-parameter ${name}: '${value}' is not an integer within ±(2^53-1)`);
    return [name, n];
  }
  throw new UsageError(`--request-parameter ${name}: unknown type '${type}' (bool, int or string)`);
}

/** The request parameters of the command line, checked; undefined when none were given. */
export function requestParameters(specs: string[] | undefined): Parameters | undefined {
  if (!specs || specs.length === 0) return undefined;
  const out: Parameters = {};
  for (const spec of specs) {
    const [name, value] = parseOne(spec);
    if (Object.hasOwn(out, name)) throw new UsageError(`--request-parameter ${name} is given twice`);
    out[name] = value;
  }
  try {
    return runParameters(out);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
