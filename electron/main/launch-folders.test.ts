/**
 * macOS launch folders: `open-file` before start-up counts as the command line's folders (so the
 * samples are not opened as well); after start-up it goes to the running lab.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Lab } from '../engine/lab';
import { openStartup } from '../engine/workspace';
import { LaunchFolders } from './launch-folders';

vi.mock('electron', () => ({}));

const root = mkdtempSync(path.join(tmpdir(), 'launch-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function repository(dir: string): string {
  mkdirSync(path.join(dir, 'm', '1'), { recursive: true });
  writeFileSync(
    path.join(dir, 'm', 'config.pbtxt'),
    'name: "m"\nbackend: "identity"\ninput [{ name: "IN" data_type: TYPE_FP32 dims: [1] }]\noutput [{ name: "OUT" data_type: TYPE_FP32 dims: [1] }]\n',
  );
  return dir;
}

describe('launch folders', () => {
  it('open-file before start-up joins the command line; after start-up it goes to the running lab', () => {
    const f = new LaunchFolders();
    f.add('/Users/u/models');
    f.add('/Users/u/models');
    f.add('/Users/u/more/');
    const later = vi.fn();
    expect(f.takeStartup(['/Users/u/cli', '/Users/u/models'], later)).toEqual(['/Users/u/cli', '/Users/u/models', '/Users/u/more']);
    expect(later).not.toHaveBeenCalled();
    f.add('/Users/u/dropped');
    expect(later).toHaveBeenCalledWith(['/Users/u/dropped']);
    // Taken once: a second take has nothing early left.
    expect(f.takeStartup([], later)).toEqual([]);
  });

  it('a folder dropped on the Dock icon at launch opens alone, without every sample', async () => {
    const samples = path.join(root, 'samples');
    repository(path.join(samples, 'a_sample'));
    repository(path.join(samples, 'b_sample'));
    const dropped = repository(path.join(root, 'dropped'));
    const f = new LaunchFolders();
    f.add(dropped);
    const lab = new Lab({ settingsFile: path.join(root, 'settings.json') });
    try {
      const result = await openStartup(lab, { given: f.takeStartup([], () => undefined), samplesDir: samples, log: () => undefined });
      expect(result.source).toBe('command-line');
      expect(lab.listRepositories().map((r) => r.name)).toEqual(['dropped']);
    } finally {
      await lab.close();
    }
  });
});
