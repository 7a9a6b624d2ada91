/**
 * Triton's identity backend (its test backend): each output copies the
 * same-indexed input. Nothing to read or complete at load; the backend's own
 * checks pair INPUT<k> with OUTPUT<k> (config.ts). Never detected from files:
 * a config names it.
 */
import { BACKEND } from '../../config/constants';
import type { Backend } from '../backend';
import { validateIdentityConfig } from './config';
import { IdentityInstance } from './instance';

export const identity: Backend = {
  name: BACKEND.identity,
  runs: 'identity models: each output copies the input of the same index',
  runsUserCode: false,
  complete: () => Promise.resolve({ issues: [], changed: false }),
  check: (ctx) => validateIdentityConfig(ctx.config),
  instances: (specs, ctx) => Promise.resolve({ instances: specs.map((s) => new IdentityInstance(s.name, ctx.config)), device: 'CPU' }),
};
