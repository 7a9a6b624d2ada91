/**
 * Whether a file a model config names stays inside the model's folder.
 *
 * Two checks, as Triton's IsChildPathEscapingParentPath (filesystem/api.cc)
 * and model file overrides use them:
 * - lexical: the name, joined to its folder and normalized, stays inside the
 *   model folder (no absolute names, no `..` out). Used for the model files of
 *   on-disk configs, so a model file linked to a weights store elsewhere still
 *   loads (the folder's owner placed that link; workspace trust covers it).
 * - real: the weakly canonical path (every existing component's links
 *   resolved) stays inside the model folder's real path. Used for files the
 *   lab reads and serves (labels, warm-up data, config.pbtxt) and for every
 *   file a network config override names. A model folder that is itself a
 *   link is fine: containment is decided against its real path.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';
import { isInside } from '../util/real-path';
import { readRegularFile } from '../util/regular-file';

/**
 * The lexical check: `name` joined to `from` and normalized, inside `root`. Joined as Triton's
 * JoinPath and the backends join it: a leading '/' does not make the name absolute.
 */
export function escapesLexically(root: string, from: string, name: string): { escapes: boolean; normalized: string } {
  const normalized = path.resolve(path.join(from, name));
  return { escapes: name.includes('\0') || !isInside(path.resolve(root), normalized), normalized };
}

/** std::filesystem::weakly_canonical: links resolved along the longest existing prefix, the rest normalized. */
export async function weaklyCanonical(p: string): Promise<string> {
  const abs = path.resolve(p);
  const tail: string[] = [];
  let head = abs;
  for (;;) {
    try {
      const real = await fs.realpath(head);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A link loop or an unreadable folder cannot be shown to stay inside: treat it as outside.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/** Triton's IsChildPathEscapingParentPath: the child's weakly canonical path against the parent's real path. */
export async function escapesReally(child: string, parent: string): Promise<{ escapes: boolean; canonical: string }> {
  let canonical: string;
  let realParent: string;
  try {
    canonical = await weaklyCanonical(child);
    realParent = await fs.realpath(parent);
  } catch {
    return { escapes: true, canonical: path.resolve(child) };
  }
  return { escapes: child.includes('\0') || !isInside(realParent, canonical), canonical };
}

/**
 * Reads a small text or data file that must be inside `dir` (real paths), a regular file and at
 * most `maxBytes`: a label file swapped for a link to /etc/passwd, /dev/zero or a FIFO after the
 * model loaded is refused at read time too, without blocking (regular-file.ts).
 */
export async function readContained(dir: string, file: string, maxBytes: number): Promise<Buffer> {
  const { escapes, canonical } = await escapesReally(file, dir);
  if (escapes) throw new LabError('UNSUPPORTED', `'${file}' is outside model directory '${dir}'`);
  return readRegularFile(canonical, file, maxBytes, true);
}
