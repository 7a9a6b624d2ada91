/**
 * Header values of remote servers on the desktop: encrypted with Electron's safeStorage (the OS
 * keychain, DPAPI, or libsecret/kwallet) into one blob in a 0600 file in userData. Where the OS
 * offers no encryption (`isEncryptionAvailable()` false, e.g. Linux without a keyring), nothing is
 * written: the values are kept in memory for this run, the lab's log says so, and `kind` reports
 * 'memory' so the UI can tell the user the headers must be given again after a restart.
 */
import { CachedCredentials, type CredentialMap, writePrivateFile } from '../engine/remote/cached-credentials';
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

export class SafeStorageCredentials extends CachedCredentials implements CredentialStore {
  private encrypting: boolean | undefined;

  constructor(
    private readonly file: string,
    private readonly storage: SafeStorageLike,
    /** Resolves once safeStorage may be used (Electron: app.whenReady()). */
    private readonly ready: () => Promise<unknown>,
    private readonly warn: (line: string) => void,
  ) {
    super();
  }

  get kind(): 'safeStorage' | 'memory' {
    return this.encrypting === false ? 'memory' : 'safeStorage';
  }

  protected async read(): Promise<CredentialMap> {
    await this.ready();
    this.encrypting = this.storage.isEncryptionAvailable();
    if (!this.encrypting) {
      this.problem = 'the system offers no encryption here: header values are kept in memory for this run only and must be given again after a restart';
      this.warn('remote server headers: the OS offers no encryption here (safeStorage); they are kept in memory for this run only');
      return new Map();
    }
    try {
      // No link followed, a FIFO not waited on, and the checks on the open handle (not on a path that may change meanwhile).
      const { handle, stat: st } = await openNonBlocking(this.file, true);
      try {
        if (specialKind(st) || st.size > MAX_FILE_BYTES) throw new Error('not a regular file of a sensible size');
        return parseCredentialBlob(this.storage.decryptString(await handle.readFile()));
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem = `saved header values could not be read from ${this.file}: ${err instanceof Error ? err.message : String(err)}`;
        this.warn(this.problem);
      }
    }
    return new Map();
  }

  /** Nothing is written without encryption: the values stay in memory for this run. */
  protected async persist(map: CredentialMap): Promise<void> {
    if (this.encrypting) await writePrivateFile(this.file, this.storage.encryptString(credentialBlob(map)));
  }
}
