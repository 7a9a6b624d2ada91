/**
 * Who may talk to the serving endpoints. Loopback is reachable from every web
 * page the user opens, so: a request a browser sends on a page's behalf
 * (it carries `Origin`, or `Sec-Fetch-Site` saying it is cross-site) is
 * refused unless its origin was allowed on the command line; and when an
 * endpoint is bound to loopback, a request addressed to any other name (a
 * DNS-rebinding page on evil.example that resolves to 127.0.0.1) is refused
 * by its `Host` / `:authority`. Triton's own clients (tritonclient, curl,
 * perf_analyzer) send neither `Origin` nor a foreign `Host`.
 */
import net from 'node:net';
import { LabError } from '../../engine/errors';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether a name or address (no port) only ever means this machine. */
export function isLoopbackName(name: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  const kind = net.isIP(host);
  return kind !== 0 && LOOPBACK.check(host, kind === 4 ? 'ipv4' : 'ipv6');
}

/** The name part of a Host / :authority value ("[::1]:8000" → "::1", "localhost:8000" → "localhost"). */
export function hostName(value: string): string {
  const v = value.trim();
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    return end < 0 ? v : v.slice(1, end);
  }
  const colon = v.indexOf(':');
  // More than one colon without brackets is a bare IPv6 address.
  return colon >= 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v;
}

/**
 * Why a request addressed to `host` is refused by an endpoint bound to `bound`, or undefined when it
 * is fine: only endpoints bound to loopback check, and a missing Host (HTTP/1.0) passes.
 */
export function hostRefusal(bound: string, host: string | undefined): string | undefined {
  if (host === undefined || !isLoopbackName(hostName(bound))) return undefined;
  if (isLoopbackName(hostName(host))) return undefined;
  return `Host '${host}' is not allowed: this server listens on a loopback address and answers only requests addressed to localhost, 127.0.0.1 or ::1`;
}

/** An origin as browsers serialize it ("https://app.example:8443"), lower-cased, or undefined when it is not one. */
export function normalizeOrigin(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || v === 'null' || v === '*') return undefined;
  try {
    const u = new URL(v);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin === 'null') return undefined;
    // An origin has no path, query or credentials; refuse anything that would be silently dropped.
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || v.endsWith('/')) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** `--http-allow-origin` values (repeatable, comma-separated) as a set of normalized origins; an invalid one is an error. */
export function parseAllowedOrigins(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    for (const part of value.split(',')) {
      if (part.trim() === '') continue;
      const origin = normalizeOrigin(part);
      if (!origin) {
        throw new LabError('INVALID_ARG', `--http-allow-origin expects origins such as http://localhost:3000 (scheme, host and port only; '*' and 'null' are not accepted), got '${part.trim()}'`);
      }
      out.add(origin);
    }
  }
  return [...out];
}

/** What the request headers say about a browser origin. */
export type OriginCheck = { kind: 'none' } | { kind: 'allowed'; origin: string } | { kind: 'refused'; message: string };

/**
 * Requests with no `Origin` (and no cross-site `Sec-Fetch-Site`) come from programs, not pages, and pass;
 * a page's request passes only when its origin is in `allowed`.
 */
export function checkOrigin(origin: string | undefined, fetchSite: string | undefined, allowed: readonly string[]): OriginCheck {
  if (origin === undefined) {
    // A page's no-cors GET carries no Origin, but browsers mark it cross-site.
    if (fetchSite === undefined || fetchSite === 'none' || fetchSite === 'same-origin') return { kind: 'none' };
    return { kind: 'refused', message: `Request refused: it was sent by a web page (Sec-Fetch-Site: ${fetchSite}) and carries no allowed origin; see --http-allow-origin` };
  }
  const normalized = normalizeOrigin(origin);
  if (normalized && allowed.includes(normalized)) return { kind: 'allowed', origin: normalized };
  return { kind: 'refused', message: `Origin '${origin}' is not allowed: requests from web pages are refused unless their origin is listed with --http-allow-origin` };
}
