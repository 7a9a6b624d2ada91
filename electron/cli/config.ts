/** `model-lab config <repo> <model>`: the completed config, as text or in Triton's /config JSON. */
import path from 'node:path';
import { Repository } from '../engine/repository/repository';
import { configToText, configToTritonJson } from '../engine/config/serialize';
import { displayConfig, diagnosticsOf } from '../engine/repository/views';
import { type CommonFlags, loadOptions, repositoryArg, UsageError } from './args';
import { formatDiagnostic } from './validate';
import type { Output } from './output';
import { modelIn } from './repo-model';

export async function configCommand(flags: CommonFlags, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  const [model, extra] = rest;
  if (!model) throw new UsageError('a model name is required: model-lab config <repo> <model>');
  if (extra) throw new UsageError(`unexpected argument '${extra}'`);
  if (flags.values.json && flags.values.pbtxt) throw new UsageError('choose one of --json and --pbtxt');
  const repo = new Repository(path.resolve(dir), { ...loadOptions(flags.values), controlMode: 'explicit', startupModels: [model] });
  await repo.loadAll();
  try {
    return await report();
  } finally {
    await repo.close();
  }

  async function report(): Promise<number> {
    const rec = modelIn(repo, model, out);
    if (!rec) return 1;
    let config = displayConfig(rec);
    const wanted = flags.values.version;
    if (typeof wanted === 'string') {
      const v = rec.versions.find((x) => String(x.version) === wanted);
      if (!v?.config) {
        out.err(`error: model '${model}' has no loaded version ${wanted}`);
        return 1;
      }
      config = v.config;
    }
    if (!rec.polled || !config) {
      out.err(`error: ${model}: ${rec.reason}`);
      for (const d of diagnosticsOf(rec, repo.root)) if (d.severity === 'error') out.err(formatDiagnostic(d));
      return 1;
    }
    if (flags.values.json) out.log(JSON.stringify(configToTritonJson(config), null, 2));
    else out.log(configToText(config).trimEnd());
    return 0;
  }
}
