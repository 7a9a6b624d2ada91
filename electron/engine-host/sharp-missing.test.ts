/** sharp that does not load (no binary for this platform; the mock's import throws): one log line, never a crash. */
import { describe, expect, it, vi } from 'vitest';
import { preloadSharp } from './host';

vi.mock('sharp', () => {
  throw new Error('Could not load the "sharp" module using the linux-x64 runtime');
});

describe('engine host without sharp', () => {
  it('logs why and goes on', async () => {
    const log = vi.fn();
    expect(await preloadSharp(log)).toBe(false);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/^sharp could not be loaded; image inputs will not work: ./);
  });
});
