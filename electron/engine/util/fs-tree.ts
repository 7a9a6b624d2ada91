/**
 * Bounded folder listings for the repository browser: never follows a
 * symlink loop, never lists more than it can show, never throws.
 */
import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileNode } from '../../contract/lab-api';
import { errorMessage } from '../errors';

export interface TreeLimits {
  maxDepth: number;
  maxEntries: number;
}

export const DEFAULT_TREE_LIMITS: TreeLimits = { maxDepth: 4, maxEntries: 200 };

export function toPosix(rel: string): string {
  return rel.split(path.sep).join('/');
}

/** Lists a folder, returning an explanation instead of throwing. */
export async function readDirSafe(dir: string): Promise<{ entries: Dirent[]; error?: string }> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { entries };
  } catch (err) {
    return { entries: [], error: errorMessage(err) };
  }
}

async function nodeFor(abs: string, rel: string, ent: Dirent, depth: number, seen: Set<string>, limits: TreeLimits): Promise<FileNode> {
  const name = ent.name;
  const relPath = toPosix(rel);
  if (ent.isSymbolicLink()) {
    try {
      const real = await fs.realpath(abs);
      const st = await fs.stat(real);
      if (st.isDirectory()) {
        if (seen.has(real)) return { name, path: relPath, kind: 'symlink', truncated: 'symlink loop' };
        return { name, path: relPath, kind: 'symlink', ...(await childrenOf(abs, rel, depth, new Set([...seen, real]), limits)) };
      }
      return { name, path: relPath, kind: 'symlink', size: st.size };
    } catch (err) {
      return { name, path: relPath, kind: 'symlink', truncated: `broken link: ${errorMessage(err)}` };
    }
  }
  if (ent.isDirectory()) {
    let real = abs;
    try {
      real = await fs.realpath(abs);
    } catch {
      /* listing below reports it */
    }
    return { name, path: relPath, kind: 'dir', ...(await childrenOf(abs, rel, depth, new Set([...seen, real]), limits)) };
  }
  if (ent.isFile()) {
    try {
      return { name, path: relPath, kind: 'file', size: (await fs.stat(abs)).size };
    } catch {
      return { name, path: relPath, kind: 'file' };
    }
  }
  return { name, path: relPath, kind: 'other' };
}

async function childrenOf(abs: string, rel: string, depth: number, seen: Set<string>, limits: TreeLimits): Promise<{ children: FileNode[]; truncated?: string }> {
  if (depth >= limits.maxDepth) return { children: [], truncated: 'too deep to list' };
  const { entries, error } = await readDirSafe(abs);
  if (error) return { children: [], truncated: `unreadable: ${error}` };
  const shown = entries.slice(0, limits.maxEntries);
  const children = await Promise.all(shown.map((e) => nodeFor(path.join(abs, e.name), path.join(rel, e.name), e, depth + 1, seen, limits)));
  const out: { children: FileNode[]; truncated?: string } = { children };
  if (entries.length > shown.length) out.truncated = `${entries.length - shown.length} more entries not listed`;
  return out;
}

/** The file tree under `abs`, with paths relative to `root`. */
export async function listTree(root: string, abs: string, limits: TreeLimits = DEFAULT_TREE_LIMITS): Promise<FileNode[]> {
  let real = abs;
  try {
    real = await fs.realpath(abs);
  } catch {
    /* reported by the listing */
  }
  const { children } = await childrenOf(abs, path.relative(root, abs), 0, new Set([real]), limits);
  return children;
}
