/**
 * Comparing a received secret (a token, a restricted-API header value) with
 * the expected one in constant time: both are hashed to equal lengths first,
 * so neither the length nor where they differ shows in the time taken.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function sameSecret(candidate: string, secret: string): boolean {
  return timingSafeEqual(digest(candidate), digest(secret));
}
