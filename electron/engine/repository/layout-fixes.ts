/**
 * Suggestions that need more than one model folder: an ensemble config left
 * inside a version folder gets the complete config Triton needs, built from
 * its scheduling and the member models.
 */
import path from 'node:path';
import { CONFIG_FILENAME } from '../config/constants';
import { suggestEnsembleConfig } from '../config/ensemble-suggest';
import { configToText } from '../config/serialize';
import { parseConfigText } from '../config/text/parse';
import { readContained } from './containment';
import { memberConfig } from './ensembles';
import { MAX_CONFIG_BYTES } from './model-loader';
import type { ModelRecord } from './types';

export async function addLayoutFixes(targets: Iterable<ModelRecord>, models: Map<string, ModelRecord>): Promise<void> {
  for (const rec of targets) {
    for (const d of rec.fileDiagnostics) {
      const file = d.file;
      if (d.code !== 'layout.config-in-version' || !file || rec.configPath) continue;
      const inner = path.join(rec.dir, ...file.split('/').slice(1));
      // A regular file inside the model folder only, read without blocking: a FIFO or device named
      // config.pbtxt would block or never end, and a link out would show another file's text.
      const text = await readContained(rec.dir, inner, MAX_CONFIG_BYTES).then(
        (buf) => buf.toString('utf8'),
        () => undefined,
      );
      const parsed = text === undefined ? undefined : parseConfigText(text);
      if (text === undefined || !parsed?.config) continue;
      const suggestion = suggestEnsembleConfig(rec.name, parsed.config, (m) => memberConfig(models.get(m), false));
      if (!suggestion) continue;
      const suggested = configToText(suggestion);
      d.message += `. It holds an ensemble's scheduling but no platform, max_batch_size, input or output, which Triton also requires`;
      d.fix = `Create '${rec.name}/${CONFIG_FILENAME}' with the config below (inputs and outputs inferred from the member models), and keep '${rec.name}/1/' as an empty version folder:\n\n${suggested}`;
      d.repair = { write: `${rec.name}/${CONFIG_FILENAME}`, text: suggested, from: { file, text, keepAs: `${rec.name}/${CONFIG_FILENAME}.orig` } };
    }
  }
}
