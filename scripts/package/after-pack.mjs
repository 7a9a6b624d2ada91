// electron-builder afterPack hook (electron-builder.yml): the packed sample repositories keep every
// folder of sample-repos/. electron-builder leaves out `.gitkeep` (its default excluded names) and
// so the empty version folders the samples need (`ensemble_model/1/`: Triton loads an ensemble only
// with a version folder; found by `npm run test:package`, whose engine smoke test then saw
// "ensemble_model UNAVAILABLE"). Installers that drop empty folders (NSIS) get a `.keep` file in each.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Recreates in `to` every folder of `from` that is missing; returns the folders it created. */
export function keepFolders(from, to, rel = '') {
  const made = [];
  for (const e of readdirSync(path.join(from, rel), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const r = path.join(rel, e.name);
    const dst = path.join(to, r);
    if (!existsSync(dst)) {
      mkdirSync(dst, { recursive: true });
      made.push(r);
    }
    if (readdirSync(dst).length === 0) writeFileSync(path.join(dst, '.keep'), '');
    made.push(...keepFolders(from, to, r));
  }
  return made;
}

export async function afterPack(context) {
  const resources = context.packager.getResourcesDir(context.appOutDir);
  const from = path.join(context.packager.projectDir, 'sample-repos');
  const to = path.join(resources, 'sample-repos');
  if (existsSync(from) && existsSync(to)) keepFolders(from, to);
}

export default afterPack;
