import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { defaultMetricsUrl, parseMetricsUrl, parseServerUrl } from './url';

function refused(input: string): LabError {
  try {
    parseServerUrl(input);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('INVALID_ARG');
    return err as LabError;
  }
  throw new Error(`expected '${input}' to be refused`);
}

describe('parseServerUrl', () => {
  it('reads the four schemes with Triton default ports', () => {
    expect(parseServerUrl('http://gpu-node:8000')).toMatchObject({ scheme: 'http', protocol: 'http', tls: false, host: 'gpu-node', port: 8000, url: 'http://gpu-node:8000' });
    expect(parseServerUrl('https://triton.example.com')).toMatchObject({ protocol: 'http', tls: true, port: 8000, url: 'https://triton.example.com:8000' });
    expect(parseServerUrl('grpc://10.0.0.5')).toMatchObject({ protocol: 'grpc', tls: false, port: 8001, url: 'grpc://10.0.0.5:8001' });
    expect(parseServerUrl('GRPCS://Node.Local:443/')).toMatchObject({ scheme: 'grpcs', protocol: 'grpc', tls: true, host: 'node.local', port: 443 });
  });

  it('takes host:port alone as http, and keeps port 80 when written', () => {
    expect(parseServerUrl('localhost:8000').url).toBe('http://localhost:8000');
    expect(parseServerUrl('  127.0.0.1  ').url).toBe('http://127.0.0.1:8000');
    expect(parseServerUrl('http://h:80').port).toBe(80);
  });

  it('reads IPv6 addresses in brackets', () => {
    const u = parseServerUrl('[::1]:8000');
    expect(u).toMatchObject({ host: '[::1]', hostname: '::1', port: 8000, url: 'http://[::1]:8000' });
    expect(parseServerUrl('grpc://[fe80::1]').url).toBe('grpc://[fe80::1]:8001');
    expect(refused('http://[::g]:8000').message).toMatch(/not an IPv6 address/);
    expect(refused('::1:8000').message).toMatch(/port|host/);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const err = refused('https://alice:s3cret@host:8000');
    expect(err.message).toMatch(/headers/);
    expect(err.message).not.toContain('s3cret');
    expect(err.message).not.toContain('alice');
  });

  it('refuses paths, queries, fragments, bad schemes, bad ports and bad hosts', () => {
    expect(refused('http://h:8000/v2').message).toMatch(/path/);
    expect(refused('http://h:8000?x=1').message).toMatch(/query/);
    expect(refused('http://h:8000/?token=s3cret#top').message).not.toContain('s3cret');
    expect(refused('http://h:8000/#top').message).toMatch(/fragment/);
    expect(refused('ftp://h:21').message).toMatch(/Unsupported scheme 'ftp'/);
    expect(refused('http://h:0').message).toMatch(/not a valid port/);
    expect(refused('http://h:65536').message).toMatch(/not a valid port/);
    expect(refused('http://h:80a').message).toMatch(/not a valid port/);
    expect(refused('http://h:').message).toMatch(/not a valid port/);
    expect(refused('http://:8000').message).toMatch(/no host/);
    expect(refused('http://bad_host!:8000').message).toMatch(/not a valid host/);
    expect(refused('').message).toMatch(/empty/);
    expect(refused('http://h :8000').message).toMatch(/spaces/);
    expect(refused(`http://${'a'.repeat(3000)}`).message).toMatch(/too long/);
  });
});

describe('defaultMetricsUrl', () => {
  it('is the same host on 8002, https when the server speaks TLS', () => {
    expect(defaultMetricsUrl(parseServerUrl('http://gpu:9000'))).toBe('http://gpu:8002/metrics');
    expect(defaultMetricsUrl(parseServerUrl('https://gpu'))).toBe('https://gpu:8002/metrics');
    expect(defaultMetricsUrl(parseServerUrl('grpcs://gpu'))).toBe('https://gpu:8002/metrics');
    expect(defaultMetricsUrl(parseServerUrl('grpc://[::1]'))).toBe('http://[::1]:8002/metrics');
  });
});

describe('parseMetricsUrl', () => {
  it('accepts http(s) with a path and refuses the rest', () => {
    expect(parseMetricsUrl('http://gpu:8002/metrics')).toBe('http://gpu:8002/metrics');
    expect(() => parseMetricsUrl('grpc://gpu:8002')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseMetricsUrl('http://u:p@gpu/metrics')).toThrow(/user name or password/);
    expect(() => parseMetricsUrl('not a url')).toThrow(/metrics URL is not a valid URL/);
    // A URL that does not parse is not echoed: it may hold a password.
    expect(() => parseMetricsUrl('http://user:hunter2@gpu:99999/metrics')).toThrow(/^(?!.*hunter2)/s);
  });
});
