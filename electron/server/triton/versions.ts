/** Version strings in URLs and messages, read as Triton's server does (common.cc GetModelVersionFromString). */
import { LabError } from '../../engine/errors';

export function parseVersion(s: string | undefined): number {
  if (s === undefined || s === '') return -1;
  if (!/^[+-]?\d+$/.test(s.trim())) {
    throw new LabError('INVALID_ARG', `failed to get model version from specified version string '${s}' (details: stoll), version should be an integral value > 0`);
  }
  const v = Number(s);
  if (v < 0) throw new LabError('INVALID_ARG', `invalid model version specified '${s}' , version should be an integral value > 0`);
  return v;
}
