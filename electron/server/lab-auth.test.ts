import { describe, expect, it } from 'vitest';
import type http from 'node:http';
import { checkToken, cookieName, LabAuth, newToken, sameToken, signedInPage, signInPage } from './lab-auth';

const req = (headers: http.IncomingHttpHeaders): http.IncomingMessage => ({ headers }) as http.IncomingMessage;

describe('lab token', () => {
  it('is 256 random bits, URL-safe, different every launch', () => {
    const a = newToken();
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newToken()).not.toBe(a);
  });

  it('refuses short or odd tokens given from outside', () => {
    expect(() => checkToken('short')).toThrow(/at least 16/);
    expect(() => checkToken('has space in it 0123456789')).toThrow();
    expect(() => checkToken('a";b=c;0123456789abcdef')).toThrow();
    expect(checkToken('e2e-token-0123456789')).toBe('e2e-token-0123456789');
  });

  it('compares whole tokens', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('ab', 'abc')).toBe(false);
    expect(sameToken('', 'abc')).toBe(false);
    expect(sameToken('abcd', 'abc')).toBe(false);
  });

  it('reads its own port’s cookie or a bearer header, nothing else', () => {
    const auth = new LabAuth('tok-0123456789abcdef', 4180);
    expect(auth.cookie).toBe(cookieName(4180));
    expect(auth.allows(req({ cookie: 'a=b; model-lab-token-4180=tok-0123456789abcdef' }))).toBe(true);
    expect(auth.allows(req({ authorization: 'Bearer tok-0123456789abcdef' }))).toBe(true);
    expect(auth.allows(req({ authorization: 'bearer  tok-0123456789abcdef ' }))).toBe(true);
    expect(auth.allows(req({ cookie: 'model-lab-token-4181=tok-0123456789abcdef' }))).toBe(false);
    expect(auth.allows(req({ cookie: 'xmodel-lab-token-4180=tok-0123456789abcdef' }))).toBe(false);
    expect(auth.allows(req({ authorization: 'Basic tok-0123456789abcdef' }))).toBe(false);
    expect(auth.allows(req({ cookie: 'model-lab-token-4180=' }))).toBe(false);
    expect(auth.allows(req({}))).toBe(false);
    expect(auth.setCookieHeader()).toBe('model-lab-token-4180=tok-0123456789abcdef; Path=/; HttpOnly; SameSite=Strict');
  });

  it('writes pages that escape what they show', () => {
    expect(signedInPage('/a"><script>')).not.toContain('"><script>');
    expect(signInPage('missing')).toContain('?token=');
    expect(signInPage('wrong')).toContain('earlier');
  });
});
