/**
 * Header values of remote servers in browser mode: a JSON file beside the settings file, readable
 * by its owner only. It is created with O_EXCL and mode 0600, chmod'ed to 0600 again on every write
 * (a umask or a copy may have widened it), and refused, never read, when it is a symbolic link, another
 * user's, or readable by group or others: then the lab says so and keeps the values in memory for this run.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../engine/errors';
import { credentialBlob, parseCredentialBlob } from '../engine/remote/memory-credentials';
import { openNonBlocking, specialKind } from '../engine/util/regular-file';
import type { CredentialStore } from '../engine/remote/types';

const MAX_FILE_BYTES = 1024 * 1024;

export class FileCredentials implements CredentialStore {
  readonly kind = 'file' as const;
  private cache: Map<string, Record<string, string>> | undefined;
  private chain: Promise<void> = Promise.resolve();
  problem: string | undefined;

  constructor(
    readonly file: string,
    private readonly warn: (line: string) => void = () => undefined,
  ) {}

  /** The file's entries; a refused file (link, another user's, too open, too large) is reported and read as empty. */
  private async load(): Promise<Map<string, Record<string, string>>> {
    if (this.cache) return this.cache;
    this.cache = new Map();
    try {
      if ((await fs.lstat(this.file)).isSymbolicLink()) throw new LabError('UNAVAILABLE', `${this.file} is a symbolic link; remote server credentials are not read from it`);
      // What is checked is the open handle (no link followed, a FIFO not waited on), so a file swapped in after the lstat is not read unchecked.
      const { handle, stat: st } = await openNonBlocking(this.file, true);
      try {
        if (specialKind(st)) throw new LabError('UNAVAILABLE', `${this.file} is not a regular file`);
        // Another user's file (one left in a shared folder such as /tmp) would choose the headers sent to the servers (root's is trusted, as ssh does).
        const uid = process.getuid?.();
        if (uid !== undefined && st.uid !== uid && st.uid !== 0) throw new LabError('UNAVAILABLE', `${this.file} belongs to another user (uid ${st.uid}); it is not used: remove it`);
        if ((st.mode & 0o077) !== 0) throw new LabError('UNAVAILABLE', `${this.file} can be read by other users (mode ${(st.mode & 0o777).toString(8)}); it is not used: make it 0600 or remove it`);
        if (st.size > MAX_FILE_BYTES) throw new LabError('UNAVAILABLE', `${this.file} is larger than ${MAX_FILE_BYTES} bytes`);
        this.cache = parseCredentialBlob((await handle.readFile()).toString('utf8'));
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem = `saved header values were not read: ${err instanceof Error ? err.message : String(err)}`;
        this.warn(`remote credentials: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return this.cache;
  }

  async get(serverId: string): Promise<Record<string, string>> {
    return { ...((await this.load()).get(serverId) ?? {}) };
  }

  async set(serverId: string, headers: Record<string, string>): Promise<void> {
    const map = await this.load();
    if (Object.keys(headers).length) map.set(serverId, { ...headers });
    else map.delete(serverId);
    await this.write(map);
  }

  async delete(serverId: string): Promise<void> {
    const map = await this.load();
    if (!map.delete(serverId)) return;
    await this.write(map);
  }

  /** A fresh 0600 temp file (O_EXCL, no following links), then renamed over the file. */
  private write(map: Map<string, Record<string, string>>): Promise<void> {
    const text = credentialBlob(map);
    this.chain = this.chain.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const st = await fs.lstat(this.file).catch(() => undefined);
      if (st?.isSymbolicLink()) throw new LabError('UNAVAILABLE', `${this.file} is a symbolic link; credentials are not written through it`);
      const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
      const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, this.file);
      await fs.chmod(this.file, 0o600);
    });
    const done = this.chain;
    this.chain = this.chain.catch(() => undefined);
    return done;
  }
}
