/**
 * Past profiles, kept across restarts in `profiles.json` beside the settings file. The file is read
 * as hostile input (anyone who can write the folder wrote it): bounded in size, opened without
 * blocking and read only when the handle is a regular file, each entry's shape checked and bad entries dropped; a file that is not a
 * list of profiles at all is set aside (renamed `profiles.json.bad-<time>`), never fatal. Writes go
 * to a temporary file renamed over the old one, so a crash leaves the old or the new file whole.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ProfilePoint, ProfileRun } from '../../contract/profile-api';
import { openNonBlocking, readUpTo, specialKind } from '../util/regular-file';

export const MAX_PROFILES_FILE_BYTES = 16 * 1024 * 1024;
/** Profiles kept; the oldest finished ones go first. */
export const MAX_HISTORY = 50;

const STATES = new Set(['running', 'done', 'stopped', 'error']);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

function isPoint(v: unknown): v is ProfilePoint {
  if (!isObj(v) || !isNum(v['inferPerSec']) || !isNum(v['requestCount']) || !isNum(v['windows']) || typeof v['stable'] !== 'boolean') return false;
  if (v['concurrency'] !== undefined && !isNum(v['concurrency'])) return false;
  if (v['requestRate'] !== undefined && !isNum(v['requestRate'])) return false;
  const lat = v['latencyUs'];
  const comp = v['components'];
  return isObj(lat) && ['avg', 'std', 'p50', 'p90', 'p95', 'p99'].every((k) => isNum(lat[k])) && isObj(comp) && Object.values(comp).every(isNum) && Object.keys(comp).length === 7;
}

/** One stored profile, or undefined when its shape is wrong. A run that was running when the lab closed is marked as stopped by that. */
export function checkStoredRun(v: unknown): ProfileRun | undefined {
  if (!isObj(v)) return undefined;
  const ok =
    isStr(v['profileId'], 100) &&
    isStr(v['repoId'], 300) &&
    isStr(v['model'], 300) &&
    isStr(v['label'], 300) &&
    isStr(v['csv'], 1024 * 1024) &&
    isNum(v['startedAt']) &&
    STATES.has(v['state'] as string) &&
    isObj(v['settings']) &&
    isObj(v['target']) &&
    isStr(v['target']['address']) &&
    isObj(v['machine']) &&
    isNum(v['machine']['cores']) &&
    Array.isArray(v['warnings']) &&
    v['warnings'].length <= 20 &&
    v['warnings'].every((w) => isStr(w)) &&
    Array.isArray(v['points']) &&
    v['points'].length <= 1000 &&
    v['points'].every(isPoint) &&
    isObj(v['progress']);
  if (!ok) return undefined;
  const run = v as unknown as ProfileRun;
  if (run.state === 'running') return { ...run, state: 'stopped', warnings: [...run.warnings, 'the lab closed while this profile ran: the points measured before are kept'] };
  return run;
}

export class ProfileHistoryFile {
  constructor(
    readonly file: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The stored profiles, newest first; [] when there is no file or it was set aside. */
  async read(): Promise<ProfileRun[]> {
    // Opened without blocking and checked through the handle (util/regular-file.ts): a FIFO or a
    // device swapped in after a check would otherwise park a threadpool thread or never end.
    let opened: Awaited<ReturnType<typeof openNonBlocking>>;
    try {
      opened = await openNonBlocking(this.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return [];
      if (code === 'ENXIO') return this.setAside('it is a socket or a device');
      this.log(`profiles: cannot read ${this.file}: ${(err as Error).message}`);
      return [];
    }
    let text: string;
    const { handle, stat } = opened;
    try {
      const kind = specialKind(stat);
      if (kind) return await this.setAside(`it is ${kind}, not a regular file`);
      if (stat.size > MAX_PROFILES_FILE_BYTES) return await this.setAside(`it is larger than ${MAX_PROFILES_FILE_BYTES} bytes`);
      text = (await readUpTo(handle, stat.size)).toString('utf8');
    } finally {
      await handle.close();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.setAside('it is not JSON');
    }
    const list = isObj(parsed) && Array.isArray(parsed['profiles']) ? parsed['profiles'] : undefined;
    if (!list) return this.setAside('it has no list of profiles');
    const kept = list.slice(0, MAX_HISTORY * 2);
    const runs = kept.flatMap((r) => {
      const ok = checkStoredRun(r);
      return ok ? [ok] : [];
    });
    if (runs.length < kept.length) this.log(`profiles: ${kept.length - runs.length} malformed entries of ${this.file} were dropped`);
    const seen = new Set<string>();
    return runs.filter((r) => !seen.has(r.profileId) && seen.add(r.profileId)).slice(0, MAX_HISTORY);
  }

  private async setAside(why: string): Promise<ProfileRun[]> {
    const aside = `${this.file}.bad-${Date.now()}`;
    try {
      await fs.rename(this.file, aside);
      this.log(`profiles: ${this.file} was set aside as ${path.basename(aside)}: ${why}`);
    } catch (err) {
      this.log(`profiles: ${this.file} is unusable (${why}) and could not be set aside: ${(err as Error).message}`);
    }
    return [];
  }

  async write(runs: ProfileRun[]): Promise<void> {
    // A new file of its own ('wx': never through a link or file someone left at that name).
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify({ version: 1, profiles: runs }), { mode: 0o600, flag: 'wx' });
      await fs.rename(tmp, this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await fs.rm(tmp, { force: true });
      throw err;
    }
  }
}
