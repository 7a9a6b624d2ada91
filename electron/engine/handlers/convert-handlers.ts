/**
 * Converting a TorchScript model to ONNX with torch, then comparing both on
 * the same inputs (convert/). Payloads are checked here, once. Converted
 * models go into the lab's own repository: `converted/` beside the settings
 * file, or (a lab without one, e.g. in tests) a temporary folder made once.
 * One conversion per model name at a time (the converted folder is named after
 * the model alone): a second asks again once it is done.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OnnxConversionRequest } from '../../contract/deploy-api';
import { convertToOnnx } from '../convert/convert-to-onnx';
import { LabError } from '../errors';
import type { Lab } from '../lab';
import type { LabHandlers } from '../lab-handlers';
import { int, payload, str } from './payload';

function request(req: unknown): OnnxConversionRequest {
  const p = payload(req);
  const out: OnnxConversionRequest = { repoId: str(p, 'repoId', 64), model: str(p, 'model', 1024) };
  if (p['version'] !== undefined) out.version = int(p, 'version', 1);
  return out;
}

/** The folder converted models go into, created on first use. */
function convertedRoot(settingsFile: string | undefined): () => Promise<string> {
  let made: Promise<string> | undefined;
  return () => {
    made ??= (async () => {
      if (settingsFile) {
        const dir = path.join(path.dirname(path.resolve(settingsFile)), 'converted');
        await fs.mkdir(dir, { recursive: true });
        return dir;
      }
      return fs.mkdtemp(path.join(os.tmpdir(), 'model-lab-converted-'));
    })().catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}

export function createConvertHandlers(lab: Lab): Pick<LabHandlers, 'convertToOnnx'> {
  const root = convertedRoot(lab.settingsFile);
  const running = new Set<string>();
  return {
    convertToOnnx: async (req) => {
      const r = request(req);
      // Keyed by the model's name, not its repository: every repository's '<model>' is written to the same converted/<model>_onnx.
      if (running.has(r.model)) throw new LabError('UNAVAILABLE', `'${r.model}' is being converted already; wait for that conversion to finish`);
      running.add(r.model);
      try {
        return await convertToOnnx({ lab, convertedRoot: root }, r);
      } finally {
        running.delete(r.model);
      }
    },
  };
}
