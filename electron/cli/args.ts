/** Command-line parsing shared by the CLI's commands, with tritonserver's flag names where they exist. */
import { parseArgs } from 'node:util';
import type { RepositoryInit } from '../engine/repository/repository';

export class UsageError extends Error {}

export interface CommonFlags {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export const COMMON_OPTIONS = {
  'model-repository': { type: 'string' },
  'disable-auto-complete-config': { type: 'boolean' },
  'strict-model-config': { type: 'string' },
  'backend-config': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  pbtxt: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  version: { type: 'string' },
  input: { type: 'string', multiple: true, short: 'i' },
  output: { type: 'string', multiple: true, short: 'o' },
  trace: { type: 'boolean' },
  'sequence-id': { type: 'string' },
  'sequence-start': { type: 'boolean' },
  'sequence-end': { type: 'boolean' },
  'request-parameter': { type: 'string', multiple: true },
  'python-twins': { type: 'boolean' },
  twins: { type: 'string' },
  gpus: { type: 'string' },
  image: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parse(argv: string[]): CommonFlags {
  try {
    const { positionals, values } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true, strict: true });
    return { positionals, values };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Repository load options from tritonserver-style flags. */
export function loadOptions(values: CommonFlags['values']): RepositoryInit {
  const out: RepositoryInit = {};
  const strict = values['strict-model-config'];
  if (values['disable-auto-complete-config'] || strict === 'true' || strict === '1') out.autoComplete = false;
  for (const entry of (values['backend-config'] as string[] | undefined) ?? []) {
    // --backend-config=[<backend>,]<setting>=<value>
    const m = /^(?:([\w-]+),)?([\w-]+)=(.*)$/.exec(entry);
    if (!m) throw new UsageError(`--backend-config expects [<backend>,]<setting>=<value>, got '${entry}'`);
    const [, backend, setting, value] = m;
    if (setting === 'default-max-batch-size' && (!backend || backend === 'onnxruntime')) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`default-max-batch-size must be a non-negative integer, got '${value}'`);
      out.defaultMaxBatchSize = n;
    }
  }
  return out;
}

/** The repository from `--model-repository=<path>` or the first positional. */
export function repositoryArg(flags: CommonFlags): { repo: string; rest: string[] } {
  const fromFlag = flags.values['model-repository'];
  if (typeof fromFlag === 'string' && fromFlag) return { repo: fromFlag, rest: flags.positionals };
  const [repo, ...rest] = flags.positionals;
  if (!repo) throw new UsageError('a model repository path is required');
  return { repo, rest };
}
