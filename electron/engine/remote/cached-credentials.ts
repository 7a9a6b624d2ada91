/**
 * What the two file-backed credential stores share (desktop: safeStorage blob; browser mode: a 0600
 * JSON file): the entries read once and cached, get/set/delete on them, writes one after the other,
 * and the owner-only file written through a fresh temp file and a rename. Each store says only how
 * its file is read and what is written into it.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors';

export type CredentialMap = Map<string, Record<string, string>>;

export abstract class CachedCredentials {
  private loading: Promise<CredentialMap> | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Why saved values could not be used (shown on the server page), if they could not. */
  problem: string | undefined;

  /** The stored entries; a file that cannot be used is reported (`problem`) and read as empty. */
  protected abstract read(): Promise<CredentialMap>;
  /** Writes every entry (called one write at a time). */
  protected abstract persist(map: CredentialMap): Promise<void>;

  private load(): Promise<CredentialMap> {
    this.loading ??= this.read();
    return this.loading;
  }

  async get(serverId: string): Promise<Record<string, string>> {
    return { ...((await this.load()).get(serverId) ?? {}) };
  }

  async set(serverId: string, headers: Record<string, string>): Promise<void> {
    const map = await this.load();
    if (Object.keys(headers).length) map.set(serverId, { ...headers });
    else map.delete(serverId);
    await this.save(map);
  }

  async delete(serverId: string): Promise<void> {
    const map = await this.load();
    if (map.delete(serverId)) await this.save(map);
  }

  private save(map: CredentialMap): Promise<void> {
    this.chain = this.chain.then(() => this.persist(map));
    const done = this.chain;
    this.chain = this.chain.catch(() => undefined);
    return done;
  }
}

/**
 * Writes `data` to `file`, readable by its owner only: a fresh temp file (random name, O_EXCL, no link
 * followed, 0600) renamed over it, removed if the write fails; a `file` that is a symbolic link is refused.
 */
export async function writePrivateFile(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const st = await fs.lstat(file).catch(() => undefined);
  if (st?.isSymbolicLink()) throw new LabError('UNAVAILABLE', `${file} is a symbolic link; credentials are not written through it`);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      // A umask cannot narrow 0600 further, but a copy or an ACL default might have widened it.
      await handle.chmod(0o600);
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
