/** Which Host values mean this machine, how origins are read, and when a browser's request is refused. */
import { describe, expect, it } from 'vitest';
import { checkOrigin, hostName, hostRefusal, isLoopbackName, normalizeOrigin, parseAllowedOrigins } from './access';

describe('loopback names', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (n) => {
    expect(isLoopbackName(n)).toBe(true);
  });
  it.each(['evil.example', 'localhost.evil.example', '128.0.0.1', '10.0.0.1', '0.0.0.0', '::', '127.0.0.1.nip.io', '2130706433', ''])('%s is not', (n) => {
    expect(isLoopbackName(n)).toBe(false);
  });

  it('reads the name of Host values with and without ports', () => {
    expect(hostName('localhost:8000')).toBe('localhost');
    expect(hostName('[::1]:8000')).toBe('::1');
    expect(hostName('[::1]')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
  });

  it('only endpoints bound to loopback check Host; a missing Host passes', () => {
    expect(hostRefusal('127.0.0.1', 'evil.example:8000')).toMatch(/^Host 'evil.example:8000' is not allowed/);
    expect(hostRefusal('localhost', 'evil.example')).toBeDefined();
    expect(hostRefusal('::1', '[::1]:8000')).toBeUndefined();
    expect(hostRefusal('127.0.0.1', '127.0.0.1:8000')).toBeUndefined();
    expect(hostRefusal('127.0.0.1', 'localhost:8000')).toBeUndefined();
    expect(hostRefusal('127.0.0.1', undefined)).toBeUndefined();
    expect(hostRefusal('0.0.0.0', 'evil.example:8000')).toBeUndefined();
  });
});

describe('origins', () => {
  it('normalizes what browsers send and refuses what is not an origin', () => {
    expect(normalizeOrigin('http://LOCALHOST:3000')).toBe('http://localhost:3000');
    expect(normalizeOrigin('https://app.example:443')).toBe('https://app.example');
    for (const bad of ['null', '*', '', 'file:///x', 'http://a.example/path', 'http://a.example/', 'http://u:p@a.example', 'not a url']) expect(normalizeOrigin(bad)).toBeUndefined();
  });

  it('--http-allow-origin: repeatable and comma-separated, invalid entries are errors', () => {
    expect(parseAllowedOrigins(['http://localhost:3000,https://a.example', 'https://a.example'])).toEqual(['http://localhost:3000', 'https://a.example']);
    expect(() => parseAllowedOrigins(['*'])).toThrow("--http-allow-origin expects origins such as http://localhost:3000 (scheme, host and port only; '*' and 'null' are not accepted), got '*'");
    expect(() => parseAllowedOrigins(['http://a.example/app'])).toThrow("got 'http://a.example/app'");
  });

  it('programs pass, listed pages pass, other pages are refused', () => {
    expect(checkOrigin(undefined, undefined, [])).toEqual({ kind: 'none' });
    expect(checkOrigin(undefined, 'none', [])).toEqual({ kind: 'none' });
    expect(checkOrigin(undefined, 'cross-site', []).kind).toBe('refused');
    expect(checkOrigin('https://evil.example', undefined, []).kind).toBe('refused');
    expect(checkOrigin('null', undefined, ['null']).kind).toBe('refused');
    expect(checkOrigin('http://localhost:3000', 'cross-site', ['http://localhost:3000'])).toEqual({ kind: 'allowed', origin: 'http://localhost:3000' });
  });
});
