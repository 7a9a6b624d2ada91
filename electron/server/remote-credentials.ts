/**
 * Header values of remote servers in browser mode: a JSON file beside the settings file, readable
 * by its owner only. It is created with O_EXCL and mode 0600, chmod'ed to 0600 again on every write
 * (a umask or a copy may have widened it), and refused, never read, when it is a symbolic link, another
 * user's, or readable by group or others: then the lab says so and keeps the values in memory for this run.
 */
import { promises as fs } from 'node:fs';
import { LabError } from '../engine/errors';
import { CachedCredentials, type CredentialMap, writePrivateFile } from '../engine/remote/cached-credentials';
import { credentialBlob, parseCredentialBlob } from '../engine/remote/memory-credentials';
import { openNonBlocking, specialKind } from '../engine/util/regular-file';
import type { CredentialStore } from '../engine/remote/types';

const MAX_FILE_BYTES = 1024 * 1024;

export class FileCredentials extends CachedCredentials implements CredentialStore {
  readonly kind = 'file' as const;

  constructor(
    readonly file: string,
    private readonly warn: (line: string) => void = () => undefined,
  ) {
    super();
  }

  /** The file's entries; a refused file (link, another user's, too open, too large) is reported and read as empty. */
  protected async read(): Promise<CredentialMap> {
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
        return parseCredentialBlob((await handle.readFile()).toString('utf8'));
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem = `saved header values were not read: ${err instanceof Error ? err.message : String(err)}`;
        this.warn(`remote credentials: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return new Map();
  }

  protected persist(map: CredentialMap): Promise<void> {
    return writePrivateFile(this.file, credentialBlob(map));
  }
}
