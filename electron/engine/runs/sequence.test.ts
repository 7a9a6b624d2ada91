/** A run's correlation id: a decimal uint64, or a string id of at most 128 UTF-8 bytes (Triton's limit). */
import { describe, expect, it } from 'vitest';
import { correlationId } from './sequence';

describe('correlationId', () => {
  it('keeps a uint64 past 2^53 exact and refuses what is not one', () => {
    expect(correlationId('18446744073709551615', false)).toBe(18446744073709551615n);
    expect(() => correlationId('18446744073709551616', false)).toThrow('is not an unsigned 64-bit integer');
  });

  it('counts a string id in bytes: 42 Chinese characters pass, 43 (129 bytes) are refused', () => {
    expect(correlationId('汉'.repeat(42), true)).toBe('汉'.repeat(42));
    expect(() => correlationId('汉'.repeat(43), true)).toThrow('at most 128 bytes (UTF-8)');
  });
});
