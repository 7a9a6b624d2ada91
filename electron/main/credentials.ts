/**
 * Header values of remote servers on the desktop: encrypted with Electron's safeStorage (the OS
 * keychain, DPAPI, or libsecret/kwallet) into one blob in a 0600 file in userData. Where the OS
 * offers no encryption (`isEncryptionAvailable()` false, e.g. Linux without a keyring), nothing is
 * written: the values are kept in memory for this run, the lab's log says so, and `kind` reports
 * 'memory' so the UI can tell the user the headers must be given again after a restart.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { credentialBlob, parseCredentialBlob } from '../engine/remote/memory-credentials';
import { openNonBlocking, specialKind } from '../engine/util/regular-file';
import type { CredentialStore } from '../engine/remote/types';

/** What this store needs of Electron's safeStorage (an interface, so tests run without Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const MAX_FILE_BYTES = 1024 * 1024;

export class SafeStorageCredentials implements CredentialStore {
  private cache: Map<string, Record<string, string>> | undefined;
  private encrypting: boolean | undefined;
  private chain: Promise<void> = Promise.resolve();
  problem: string | undefined;

  constructor(
    private readonly file: string,
    private readonly storage: SafeStorageLike,
    /** Resolves once safeStorage may be used (Electron: app.whenReady()). */
    private readonly ready: () => Promise<unknown>,
    private readonly warn: (line: string) => void,
  ) {}

  get kind(): 'safeStorage' | 'memory' {
    return this.encrypting === false ? 'memory' : 'safeStorage';
  }

  private async load(): Promise<Map<string, Record<string, string>>> {
    if (this.cache) return this.cache;
    await this.ready();
    this.encrypting = this.storage.isEncryptionAvailable();
    this.cache = new Map();
    if (!this.encrypting) {
      this.problem = 'the system offers no encryption here: header values are kept in memory for this run only and must be given again after a restart';
      this.warn('remote server headers: the OS offers no encryption here (safeStorage); they are kept in memory for this run only');
      return this.cache;
    }
    try {
      // No link followed, a FIFO not waited on, and the checks on the open handle (not on a path that may change meanwhile).
      const { handle, stat: st } = await openNonBlocking(this.file, true);
      try {
        if (specialKind(st) || st.size > MAX_FILE_BYTES) throw new Error('not a regular file of a sensible size');
        this.cache = parseCredentialBlob(this.storage.decryptString(await handle.readFile()));
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem = `saved header values could not be read from ${this.file}: ${err instanceof Error ? err.message : String(err)}`;
        this.warn(this.problem);
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
    await this.save(map);
  }

  async delete(serverId: string): Promise<void> {
    const map = await this.load();
    if (map.delete(serverId)) await this.save(map);
  }

  private save(map: Map<string, Record<string, string>>): Promise<void> {
    if (!this.encrypting) return Promise.resolve();
    const blob = this.storage.encryptString(credentialBlob(map));
    this.chain = this.chain.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
      const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await handle.chmod(0o600);
        await handle.writeFile(blob);
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, this.file);
    });
    const done = this.chain;
    this.chain = this.chain.catch(() => undefined);
    return done;
  }
}
