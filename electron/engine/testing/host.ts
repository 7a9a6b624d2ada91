/** The host a browser-mode lab runs under, for tests that build the handler table (no pickers, no serving unless given). */
import type { HostInfo } from '../../contract/lab-api';
import type { HostCapabilities } from '../lab-handlers';

export function browserHost(info: Partial<HostInfo> = {}, extra: Partial<HostCapabilities> = {}): HostCapabilities {
  return { info: () => ({ mode: 'browser', appVersion: 't', platform: 'linux', canPickFolder: false, ...info }), pickFolder: () => Promise.resolve(null), ...extra };
}
