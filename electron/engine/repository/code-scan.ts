/**
 * Which model folders run code from the repository (script and Python
 * models), found without loading anything, for workspace trust. It errs on
 * the side of asking: anything the loader could end up running counts.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILENAME, FILENAME, SCRIPT_FILENAMES } from '../config/constants';
import { parseConfigText } from '../config/text/parse';
import { CODE_BACKENDS, MAX_CONFIG_BYTES } from './model-loader';

const CODE_FILES = new Set<string>([FILENAME.python, ...SCRIPT_FILENAMES]);
const CODE_EXTENSIONS = /\.(?:py|js|mjs|cjs|ts|mts|cts)$/i;

async function readConfig(dir: string): Promise<string> {
  const file = path.join(dir, CONFIG_FILENAME);
  const st = await fs.stat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_CONFIG_BYTES) return '';
  return fs.readFile(file, 'utf8').catch(() => '');
}

/** Whether one model folder would run code: by its config (backend, model file name), its folder name, or its files. */
export async function modelRunsCode(dir: string): Promise<boolean> {
  // Triton also takes the backend from a folder named 'model.<backend>'.
  const suffix = path.basename(dir).split('.').pop() ?? '';
  if (CODE_BACKENDS.has(suffix)) return true;
  const text = await readConfig(dir);
  if (text) {
    const { config } = parseConfigText(text);
    if (config) {
      if (CODE_BACKENDS.has(config.backend) || CODE_EXTENSIONS.test(config.defaultModelFilename)) return true;
    } else if (/\b(?:script|python)\b|\.(?:py|m?js|ts)\b/i.test(text)) {
      // A config that does not parse may still be loadable after an edit: ask rather than guess.
      return true;
    }
  }
  const versions = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const v of versions) {
    if (!v.isDirectory() && !v.isSymbolicLink()) continue;
    const files = await fs.readdir(path.join(dir, v.name)).catch(() => [] as string[]);
    if (files.some((f) => CODE_FILES.has(f))) return true;
  }
  return false;
}

/** Whether any model of a repository runs code from the folder. */
export async function repositoryRunsCode(root: string): Promise<boolean> {
  const models = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  for (const m of models) {
    if ((m.isDirectory() || m.isSymbolicLink()) && (await modelRunsCode(path.join(root, m.name)))) return true;
  }
  return false;
}
