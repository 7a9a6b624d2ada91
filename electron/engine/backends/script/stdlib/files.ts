/** `lab.readFile` / `lab.readText`: files next to a model, never outside its folder. */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { readUpTo, withRegularFile } from '../../../util/regular-file';

function inside(folder: string, target: string): boolean {
  const rel = path.relative(folder, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves `relativePath` against the version folder and refuses anything
 * that leaves the model folder (its parent), by name or through a symlink.
 */
export async function resolveModelFile(modelVersionDir: string, relativePath: string): Promise<string> {
  if (typeof relativePath !== 'string' || relativePath === '' || path.isAbsolute(relativePath) || relativePath.includes('\0')) {
    throw new Error(`lab.readFile takes a path relative to the model's version folder, not ${JSON.stringify(relativePath)}`);
  }
  const versionDir = path.resolve(modelVersionDir);
  const modelDir = path.dirname(versionDir);
  const target = path.resolve(versionDir, relativePath);
  const refuse = (): Error => new Error(`lab.readFile: ${JSON.stringify(relativePath)} is outside the model folder ${modelDir}`);
  if (!inside(modelDir, target)) throw refuse();
  const [realModel, realTarget] = await Promise.all([realpath(modelDir), realpath(target)]);
  if (!inside(realModel, realTarget)) throw refuse();
  return realTarget;
}

export function modelFiles(modelVersionDir: string): Pick<LabStdlib, 'readFile' | 'readText'> {
  const read = async (relativePath: string): Promise<Uint8Array> => {
    // Without blocking: a FIFO or device next to the model is refused unread (regular-file.ts).
    const buf = await withRegularFile(await resolveModelFile(modelVersionDir, relativePath), relativePath, readUpTo);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  };
  return {
    readFile: read,
    readText: async (relativePath) => new TextDecoder().decode(await read(relativePath)),
  };
}
