/**
 * tritonserver's --http-restricted-api / --grpc-restricted-protocol parsing
 * (TritonParser::ParseRestrictedFeatureOption) and the constant-time header
 * comparison both frontends use.
 */
import { describe, expect, it } from 'vitest';
import { GRPC_RESTRICTED_PREFIX, RESTRICTED_CATEGORIES, type Restrictions, parseRestrictedOption, restrictionMet } from './restricted';

const http = (args: string[]): Restrictions => args.reduce<Restrictions>((acc, a) => parseRestrictedOption(a, 'http-restricted-api', '', 'api', acc), {});

describe('restricted feature options', () => {
  it("reads '<apis>:<key>=<value>' with comma-separated categories, Triton's nine of them", () => {
    expect(RESTRICTED_CATEGORIES).toEqual(['health', 'metadata', 'inference', 'shared-memory', 'model-config', 'model-repository', 'statistics', 'trace', 'logging']);
    expect(http(['model-repository,logging:admin-key=s3cret', 'inference:infer-key=a=b:c'])).toEqual({
      'model-repository': { header: 'admin-key', value: 's3cret' },
      logging: { header: 'admin-key', value: 's3cret' },
      inference: { header: 'infer-key', value: 'a=b:c' },
    });
  });

  it('gRPC keys get the triton-grpc-protocol- prefix', () => {
    const r = parseRestrictedOption('health:k=v', 'grpc-restricted-protocol', GRPC_RESTRICTED_PREFIX, 'protocol', {});
    expect(r).toEqual({ health: { header: 'triton-grpc-protocol-k', value: 'v' } });
  });

  it.each([
    [['nope:k=v'], "unknown restricted api 'nope'"],
    [['inference,:k=v'], "unknown restricted api ''"],
    [['inference:k=v', 'inference:x=y'], "restricted api 'inference' can not be specified in multiple config groups"],
    [['metadata,metadata:k=v'], "restricted api 'metadata' can not be specified in multiple config groups"],
    [['inference'], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference"],
    [['inference:k'], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference:k"],
    [[':k=v'], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got :k=v"],
    [['inference:=v'], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference:=v"],
    [['inference:k='], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference:k="],
  ])('%j is refused: %s', (args, message) => {
    expect(() => http(args)).toThrow(message);
  });

  it('gRPC wording says protocol', () => {
    expect(() => parseRestrictedOption('bogus:k=v', 'grpc-restricted-protocol', GRPC_RESTRICTED_PREFIX, 'protocol', {})).toThrow("unknown restricted protocol 'bogus'");
  });
});

describe('header comparison', () => {
  it('matches only the exact value', () => {
    expect(restrictionMet('s3cret', 's3cret')).toBe(true);
    expect(restrictionMet(undefined, 's3cret')).toBe(false);
    expect(restrictionMet('', 's3cret')).toBe(false);
    expect(restrictionMet('s3cre', 's3cret')).toBe(false);
    expect(restrictionMet('s3cret ', 's3cret')).toBe(false);
    expect(restrictionMet('S3CRET', 's3cret')).toBe(false);
    expect(restrictionMet('ключ', 'ключ')).toBe(true);
  });
});
