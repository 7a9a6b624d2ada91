/**
 * Header values kept in memory only: for tests, the CLI, and a desktop where the OS offers no
 * encryption (then the servers' headers must be given again after a restart, and the UI says so).
 */
import type { CredentialStore } from './types';

export class MemoryCredentials implements CredentialStore {
  readonly kind = 'memory' as const;
  private readonly byId = new Map<string, Record<string, string>>();

  async get(serverId: string): Promise<Record<string, string>> {
    return { ...(this.byId.get(serverId) ?? {}) };
  }

  async set(serverId: string, headers: Record<string, string>): Promise<void> {
    if (Object.keys(headers).length) this.byId.set(serverId, { ...headers });
    else this.byId.delete(serverId);
  }

  async delete(serverId: string): Promise<void> {
    this.byId.delete(serverId);
  }
}

/** Header values from a store's JSON blob: only string-to-string maps under `remote:` ids survive. */
export function parseCredentialBlob(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [id, headers] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^remote:\d{1,9}$/.test(id) || !headers || typeof headers !== 'object' || Array.isArray(headers)) continue;
    const entries = Object.entries(headers as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
    out.set(id, Object.fromEntries(entries));
  }
  return out;
}

export function credentialBlob(map: ReadonlyMap<string, Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(map));
}
