/** What a profile was measured on, and the warning perf_analyzer's users learn the hard way: a client on the server's cores limits the numbers. */
import os from 'node:os';
import type { MachineInfo, TargetDescription } from './types';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/i;

/** Whether a server URL's host is this machine (a loopback address or one of this host's own addresses). */
export function isLocalHost(hostname: string): boolean {
  if (LOOPBACK.test(hostname)) return true;
  const own = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return own.includes(hostname.replace(/^\[|\]$/g, '')) || hostname === os.hostname();
}

export function machineInfo(target: TargetDescription): MachineInfo {
  const cpus = os.cpus();
  return { cores: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU', platform: `${os.platform()} ${os.arch()}`, sameHost: target.sameHost };
}

/** The load of a sweep in words: its most requests in flight, or its highest request rate. */
export function loadWords(s: { concurrency: { end: number }; requestRate?: { end: number } }): string {
  if (s.requestRate) return `up to ${s.requestRate.end} requests/s`;
  const n = s.concurrency.end;
  return `${n} request${n > 1 ? 's' : ''} in flight`;
}

export function machineWarnings(m: MachineInfo, load: string): string[] {
  if (!m.sameHost) return [];
  return [
    `client and server share this machine's ${m.cores} cores: the client's own work (${load}) takes CPU from the server, so these numbers are a lower bound of what the server does with a client elsewhere`,
  ];
}
