/**
 * Triton's restricted features (restricted_features.h): an API category can
 * be made to require a header with a set value, so that e.g. load/unload
 * need an admin key while inference stays open. Parsed from tritonserver's
 * `--http-restricted-api=<apis>:<key>=<value>` and
 * `--grpc-restricted-protocol=<protocols>:<key>=<value>` (each category in
 * at most one group), checked by both frontends before anything else of a
 * request is read. Values are compared in constant time.
 */
import { sameSecret } from '../same-secret';
import { LabError } from '../../engine/errors';

/** Triton's category names, in its order. */
export const RESTRICTED_CATEGORIES = ['health', 'metadata', 'inference', 'shared-memory', 'model-config', 'model-repository', 'statistics', 'trace', 'logging'] as const;

export type RestrictedCategory = (typeof RESTRICTED_CATEGORIES)[number];

/** The header a restricted category requires, and its value. */
export interface Restriction {
  header: string;
  value: string;
}

export type Restrictions = Partial<Record<RestrictedCategory, Restriction>>;

/** gRPC restrictions name their metadata key with this prefix (grpc_server.h kRestrictedProtocolHeaderTemplate). */
export const GRPC_RESTRICTED_PREFIX = 'triton-grpc-protocol-';

function isCategory(name: string): name is RestrictedCategory {
  return (RESTRICTED_CATEGORIES as readonly string[]).includes(name);
}

/**
 * One `<features>:<key>=<value>` option added to `into`, as TritonParser::ParseRestrictedFeatureOption
 * reads it: the first ':' and the first '=' after it split the parts, none may be empty, features are
 * comma-separated, unknown ones and ones already restricted are errors. `prefix` goes before the key
 * (gRPC's metadata prefix; nothing for HTTP); `kind` is "api" or "protocol" in the messages.
 */
export function parseRestrictedOption(arg: string, option: string, prefix: string, kind: 'api' | 'protocol', into: Restrictions): Restrictions {
  const colon = arg.indexOf(':');
  const eq = colon < 0 ? -1 : arg.indexOf('=', colon + 1);
  const features = colon < 0 ? '' : arg.slice(0, colon);
  const key = eq < 0 ? '' : arg.slice(colon + 1, eq);
  const value = eq < 0 ? '' : arg.slice(eq + 1);
  if (colon < 0 || eq < 0 || features === '' || key === '' || value === '') {
    throw new LabError('INVALID_ARG', `--${option} option format is '<config name>:<setting>=<value>'. Got ${arg}`);
  }
  for (const feature of features.split(',')) {
    if (!isCategory(feature)) throw new LabError('INVALID_ARG', `unknown restricted ${kind} '${feature}'`);
    if (into[feature]) throw new LabError('INVALID_ARG', `restricted ${kind} '${feature}' can not be specified in multiple config groups`);
    into[feature] = { header: prefix + key, value };
  }
  return into;
}

/** Whether a received header value is the expected one; the time taken does not depend on where they differ. */
export function restrictionMet(actual: string | undefined, expected: string): boolean {
  // Compared even when absent, so a missing header takes as long as a wrong one.
  const same = sameSecret(actual ?? '', expected);
  return actual !== undefined && same;
}

/** Triton's HTTP refusal text (HTTPAPIServer::RespondIfRestricted). */
export const restrictedApiMessage = (header: string): string => `This API is restricted, expecting header '${header}'`;

/** Triton's gRPC refusal text (CommonCallData::Execute, the infer handlers). */
export const restrictedProtocolMessage = (header: string): string => `This protocol is restricted, expecting header '${header}'`;
