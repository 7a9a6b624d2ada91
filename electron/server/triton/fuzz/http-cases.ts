/**
 * Generated malformed HTTP requests for the Triton HTTP frontend: broken
 * request lines and headers, bad URLs and methods, inference bodies with one
 * thing wrong (JSON, shapes, dtypes, data, the binary tensor extension),
 * broken compression, and model-control / trace / logging requests that
 * must be refused. Every case is built to be invalid, so every answer must be
 * a 4xx/5xx with an error body. Cases are raw bytes, so nothing in between
 * (an HTTP client library) repairs them first.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import type { Rng } from '../../../engine/testing/rng';

export interface HttpCase {
  kind: string;
  label: string;
  raw: Buffer;
}

/** The served fixture's models this generator aims at (see testing/serve-fixture.ts). */
const TARGETS = [
  { model: 'batching', input: 'INPUT0', dtype: 'FP32', batch: true },
  { model: 'id_int32', input: 'INPUT0', dtype: 'INT32', batch: false },
  { model: 'id_bytes', input: 'INPUT0', dtype: 'BYTES', batch: false },
  { model: 'id_bool', input: 'INPUT0', dtype: 'BOOL', batch: false },
  { model: 'id_fp16', input: 'INPUT0', dtype: 'FP16', batch: false },
  { model: 'id_uint64', input: 'INPUT0', dtype: 'UINT64', batch: false },
  { model: 'pipeline', input: 'IN', dtype: 'FP32', batch: true },
  { model: 'classifier', input: 'INPUT0', dtype: 'FP32', batch: true },
] as const;
type Target = (typeof TARGETS)[number];

const DTYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BF16', 'BYTES'];
const ROUTES = [
  '/v2',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/batching',
  '/v2/models/batching/ready',
  '/v2/models/batching/config',
  '/v2/models/batching/stats',
  '/v2/models/stats',
  '/v2/repository/index',
  '/v2/trace/setting',
  '/v2/logging',
  '/v2/models/batching/infer',
];

export class HttpCaseBuilder {
  constructor(
    private readonly rng: Rng,
    private readonly host: string,
  ) {}

  /** A complete request; Content-Length is added unless `headers` sets framing itself. */
  request(method: string, path: string, headers: Record<string, string> = {}, body: Buffer | string = ''): Buffer {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    const framed = Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${this.host}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (!framed && (b.byteLength > 0 || method === 'POST')) lines.push(`Content-Length: ${b.byteLength}`);
    return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), b]);
  }

  private target(): Target {
    return this.rng.pick(TARGETS);
  }

  private shapeFor(t: Target, n: number): number[] {
    return t.batch ? [1, n] : [n];
  }

  private valuesFor(t: Target, n: number): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(t.dtype === 'BYTES' ? `s${i}` : t.dtype === 'BOOL' ? i % 2 === 0 : i);
    return out;
  }

  /** A valid JSON inference body for a target, as the mutations' starting point. */
  private validBody(t: Target): Record<string, unknown> {
    const n = this.rng.int(1, 5);
    return { inputs: [{ name: t.input, shape: this.shapeFor(t, n), datatype: t.dtype, data: this.valuesFor(t, n) }] };
  }

  private inferPath(t: Target): string {
    return `/v2/models/${t.model}/infer`;
  }

  // ---- protocol-level garbage ------------------------------------------------
  protocol(): HttpCase {
    const r = this.rng;
    const variants: [string, () => Buffer][] = [
      ['control char in method', () => Buffer.from(`G\u0001T /v2 HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`, 'latin1')],
      ['header without colon', () => Buffer.from(`GET /v2 HTTP/1.1\r\nHost: ${this.host}\r\nNoColonHere\r\n\r\n`, 'latin1')],
      ['space in header name', () => Buffer.from(`GET /v2 HTTP/1.1\r\nHost: ${this.host}\r\nBad Name: x\r\n\r\n`, 'latin1')],
      ['NUL in header value', () => Buffer.from(`GET /v2 HTTP/1.1\r\nHost: ${this.host}\r\nX-A: a\u0000b\r\n\r\n`, 'latin1')],
      ['oversized headers', () => Buffer.from(`GET /v2 HTTP/1.1\r\nHost: ${this.host}\r\nX-Big: ${'a'.repeat(r.int(17_000, 40_000))}\r\n\r\n`, 'latin1')],
      ['conflicting Content-Length', () => Buffer.from(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: ${this.host}\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{`, 'latin1')],
      [
        'non-numeric Content-Length',
        () => Buffer.from(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: ${this.host}\r\nContent-Length: ${r.pick(['abc', '-1', '1e3', '0x10', ' '])}\r\n\r\n{}`, 'latin1'),
      ],
      [
        'bad chunk size',
        () =>
          Buffer.from(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: ${this.host}\r\nTransfer-Encoding: chunked\r\n\r\n${r.pick(['zz', '-5', 'fffffffffffffffffff'])}\r\n{}\r\n0\r\n\r\n`, 'latin1'),
      ],
      [
        'chunked and Content-Length',
        () => Buffer.from(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: ${this.host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`, 'latin1'),
      ],
      [
        'unknown transfer coding',
        () => Buffer.from(`POST /v2/models/batching/infer HTTP/1.1\r\nHost: ${this.host}\r\nTransfer-Encoding: ${r.pick(['gzip', 'chunked, gzip', 'bogus'])}\r\n\r\n{}`, 'latin1'),
      ],
      ['bad HTTP version', () => Buffer.from(`GET /v2 HTTP/${r.pick(['1.x', '11', 'A.B'])}\r\nHost: ${this.host}\r\n\r\n`, 'latin1')],
      ['garbage request', () => Buffer.concat([r.bytes(r.int(1, 64)), Buffer.from('\r\n\r\n')])],
    ];
    const [label, make] = r.pick(variants);
    return { kind: 'protocol', label, raw: make() };
  }

  // ---- URLs and methods ------------------------------------------------------
  url(): HttpCase {
    const r = this.rng;
    const variants: [string, () => Buffer][] = [
      ['malformed percent-encoding', () => this.request('GET', `/v2/models/${r.pick(['%E0%A4%A', '%zz', '%', '%C3', 'a%2', '%FF%FE'])}/ready`)],
      ['malformed percent-encoding (infer)', () => this.request('POST', `/v2/models/${r.pick(['%E0%A4%A', '%zz', '%'])}/infer`, {}, '{}')],
      ['malformed percent-encoding (load)', () => this.request('POST', `/v2/repository/models/${r.pick(['%E0%A4%A', '%zz', '%'])}/load`, {}, '')],
      [
        'unknown route',
        () =>
          this.request(
            r.pick(['GET', 'POST']),
            r.pick(['/', '/v1', '/v3/models', '/v2/modelz', '/v2/models', '/v2/health', '/v2/health/alive', `/v2/${encodeURIComponent(r.text())}`, '/v2/models/batching/versions/abc/infer']),
          ),
      ],
      ['long path', () => this.request('GET', `/v2/models/${'x'.repeat(r.int(1000, 8000))}/ready`)],
      ['unknown model', () => this.request(r.pick(['GET', 'POST']), `/v2/models/${encodeURIComponent(`no_such_${r.text(6)}`)}${r.pick(['', '/config', '/stats', '/infer'])}`, {}, r.pick(['', '{}']))],
      ['unknown version', () => this.request('GET', `/v2/models/batching/versions/${r.pick(['0', '7', '99999999999999999999'])}${r.pick(['', '/config', '/stats'])}`)],
      ['wrong method', () => this.request(r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), r.pick(ROUTES), {}, r.pick(['', '{}']))],
      ['GET on a POST route', () => this.request('GET', r.pick(['/v2/models/batching/infer', '/v2/repository/index', '/v2/repository/models/batching/load', '/v2/systemsharedmemory/register']))],
      ['POST on a GET route', () => this.request('POST', r.pick(['/v2', '/v2/health/live', '/v2/models/batching/config', '/v2/models/stats', '/v2/models/batching']), {}, '{}')],
    ];
    const [label, make] = r.pick(variants);
    return { kind: 'url', label, raw: make() };
  }

  // ---- inference bodies ------------------------------------------------------
  /** A valid body with exactly one thing broken. */
  inferJson(): HttpCase {
    const r = this.rng;
    const t = this.target();
    const body = this.validBody(t);
    const input = (body['inputs'] as Record<string, unknown>[])[0]!;
    const n = (input['data'] as unknown[]).length;
    const breaks: [string, () => Buffer | string][] = [
      ['truncated JSON', () => JSON.stringify(body).slice(0, r.int(0, JSON.stringify(body).length - 1))],
      ['random bytes', () => r.bytes(r.int(1, 200))],
      ['not an object', () => r.pick(['[]', '1', '"x"', 'null', 'true', '[{"inputs":[]}]'])],
      ['inputs missing', () => JSON.stringify({ outputs: [] })],
      ['inputs not an array', () => JSON.stringify({ inputs: r.pick([{}, 'x', 3, null]) })],
      ['inputs empty', () => JSON.stringify({ inputs: [] })],
      ['input not an object', () => JSON.stringify({ inputs: [r.pick([1, 'x', null, []])] })],
      ['input name missing', () => JSON.stringify({ inputs: [{ ...input, name: undefined }] })],
      ['input name wrong', () => JSON.stringify({ inputs: [{ ...input, name: r.pick([`${t.input}_x`, '', 7, null]) }] })],
      ['datatype missing', () => JSON.stringify({ inputs: [{ ...input, datatype: undefined }] })],
      ['datatype unknown', () => JSON.stringify({ inputs: [{ ...input, datatype: r.pick(['FP128', 'float', '', 'fp32', 3]) }] })],
      ['datatype mismatched', () => JSON.stringify({ inputs: [{ ...input, datatype: r.pick(DTYPES.filter((d) => d !== t.dtype)) }] })],
      ['shape missing', () => JSON.stringify({ inputs: [{ ...input, shape: undefined }] })],
      ['shape not a list of sizes', () => JSON.stringify({ inputs: [{ ...input, shape: r.pick([[-1, n], [1.5], ['1', '2'], 'x', [null], [{}]]) }] })],
      ['shape does not match data', () => JSON.stringify({ inputs: [{ ...input, shape: this.shapeFor(t, n + r.int(1, 9)) }] })],
      ['huge shape', () => JSON.stringify({ inputs: [{ ...input, shape: this.shapeFor(t, r.pick([2 ** 40, 2 ** 53, 1e300, 4294967297])) }] })],
      ['wrong rank', () => JSON.stringify({ inputs: [{ ...input, shape: [1, 1, 1, n] }] })],
      ['data missing', () => JSON.stringify({ inputs: [{ ...input, data: undefined }] })],
      ['data of the wrong type', () => JSON.stringify({ inputs: [{ ...input, data: (input['data'] as unknown[]).map(() => r.pick(t.dtype === 'BYTES' ? [1, {}, true] : ['x', {}, null])) }] })],
      ['duplicate input', () => JSON.stringify({ inputs: [input, input] })],
      ['extra unknown input', () => JSON.stringify({ inputs: [input, { ...input, name: 'NOT_AN_INPUT' }] })],
      ['binary_data_size without binary data', () => JSON.stringify({ inputs: [{ ...input, data: undefined, parameters: { binary_data_size: r.int(1, 64) } }] })],
      ['outputs not an array', () => JSON.stringify({ ...body, outputs: r.pick([{}, 'x', 1]) })],
      ['unknown output', () => JSON.stringify({ ...body, outputs: [{ name: r.pick(['NOPE', '', 'OUTPUT0 ']) }] })],
      ['bad classification', () => JSON.stringify({ ...body, outputs: [{ name: t.model === 'pipeline' ? 'OUT' : 'OUTPUT0', parameters: { classification: r.pick([-1, 'x', 1.5, true]) } }] })],
      ['request parameters not an object', () => JSON.stringify({ ...body, parameters: r.pick([1, 'x', []]) })],
      ['id not a string', () => JSON.stringify({ ...body, id: r.pick([1, {}, [], true]) })],
    ];
    const [label, make] = r.pick(breaks);
    const payload = make();
    return { kind: 'infer-json', label: `${t.model}: ${label}`, raw: this.request('POST', this.inferPath(t), { 'Content-Type': 'application/json' }, payload) };
  }

  /** The binary tensor data extension with its lengths wrong. */
  inferBinary(): HttpCase {
    const r = this.rng;
    const t = r.pick(TARGETS.filter((x) => x.dtype === 'FP32' || x.dtype === 'INT32' || x.dtype === 'BYTES'));
    const n = r.int(1, 4);
    const bytes = t.dtype === 'BYTES' ? Buffer.concat(Array.from({ length: n }, () => Buffer.from([1, 0, 0, 0, 0x61]))) : Buffer.alloc(4 * n);
    const head = (size: number): Buffer => Buffer.from(JSON.stringify({ inputs: [{ name: t.input, shape: this.shapeFor(t, n), datatype: t.dtype, parameters: { binary_data_size: size } }] }));
    const breaks: [string, () => { h: string; body: Buffer }][] = [
      [
        'header length past the body',
        () => {
          const h = head(bytes.byteLength);
          return { h: String(h.byteLength + bytes.byteLength + r.int(1, 100)), body: Buffer.concat([h, bytes]) };
        },
      ],
      ['header length not a number', () => ({ h: r.pick(['abc', '-5', '1.5', '']), body: Buffer.concat([head(bytes.byteLength), bytes]) })],
      [
        'header cut inside the JSON',
        () => {
          const h = head(bytes.byteLength);
          return { h: String(r.int(1, h.byteLength - 1)), body: Buffer.concat([h, bytes]) };
        },
      ],
      [
        'binary_data_size past the end',
        () => {
          const h = head(bytes.byteLength + r.int(1, 64));
          return { h: String(h.byteLength), body: Buffer.concat([h, bytes]) };
        },
      ],
      [
        'extra bytes after the tensors',
        () => {
          const h = head(bytes.byteLength);
          return { h: String(h.byteLength), body: Buffer.concat([h, bytes, r.bytes(r.int(1, 32))]) };
        },
      ],
      [
        'size not a multiple of the element',
        () => {
          const odd = Buffer.alloc(4 * n + r.int(1, 3));
          const h = head(odd.byteLength);
          return { h: String(h.byteLength), body: Buffer.concat([h, odd]) };
        },
      ],
      [
        'BYTES length prefix past the data',
        () => {
          const bad = Buffer.from([0xff, 0xff, 0xff, 0x7f, 0x61]);
          const h = Buffer.from(JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: bad.byteLength } }] }));
          return { h: String(h.byteLength), body: Buffer.concat([h, bad]) };
        },
      ],
    ];
    const [label, make] = r.pick(breaks);
    const { h, body } = make();
    const path = label.startsWith('BYTES') ? '/v2/models/id_bytes/infer' : this.inferPath(t);
    return {
      kind: 'infer-binary',
      label: `${t.model}: ${label}`,
      raw: this.request('POST', path, { 'Inference-Header-Content-Length': h, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.byteLength) }, body),
    };
  }

  /** Broken compression and decompression bombs. */
  encoding(maxInputBytes: number): HttpCase {
    const r = this.rng;
    const t = this.target();
    const valid = Buffer.from(JSON.stringify(this.validBody(t)));
    const breaks: [string, () => { enc: string; body: Buffer }][] = [
      ['gzip of garbage', () => ({ enc: 'gzip', body: r.bytes(r.int(1, 300)) })],
      [
        'truncated gzip',
        () => {
          const z = gzipSync(valid);
          return { enc: 'gzip', body: z.subarray(0, r.int(1, z.byteLength - 9)) };
        },
      ],
      ['deflate of garbage', () => ({ enc: 'deflate', body: r.bytes(r.int(1, 300)) })],
      ['unsupported encoding', () => ({ enc: r.pick(['br', 'compress', 'gzip, gzip', 'x-unknown', 'zstd']), body: valid })],
      ['gzip bomb', () => ({ enc: 'gzip', body: gzipSync(Buffer.alloc(maxInputBytes * r.int(2, 8), 0x20)) })],
      ['deflate bomb', () => ({ enc: 'deflate', body: deflateSync(Buffer.alloc(maxInputBytes * r.int(2, 8), 0x20)) })],
      ['compressed invalid JSON', () => ({ enc: r.pick(['gzip', 'deflate']), body: (r.chance(0.5) ? gzipSync : deflateSync)(Buffer.from('{"inputs": [ {"name": ')) })],
    ];
    const [label, make] = r.pick(breaks);
    const { enc, body } = make();
    const fixEnc = label === 'compressed invalid JSON' ? (body[0] === 0x1f ? 'gzip' : 'deflate') : enc;
    return { kind: 'encoding', label: `${t.model}: ${label}`, raw: this.request('POST', this.inferPath(t), { 'Content-Encoding': fixEnc, 'Content-Type': 'application/json' }, body) };
  }

  /** Model control that must be refused (the fixture serves in explicit mode). */
  control(): HttpCase {
    const r = this.rng;
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const goodConfig = JSON.stringify({
      name: 'batching',
      backend: 'identity',
      max_batch_size: 8,
      input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
      output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
    });
    const variants: [string, () => Buffer][] = [
      ['load: invalid JSON body', () => this.request('POST', '/v2/repository/models/batching/load', {}, r.pick(['{', '{"parameters":', 'nope', '[1,']))],
      ['load: body not an object', () => this.request('POST', '/v2/repository/models/batching/load', {}, r.pick(['[]', '1', '"x"']))],
      ['load: parameters not an object', () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: r.pick([1, 'x', [], true]) }))],
      ['load: parameter not a string', () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: { config: r.pick([1, {}, [], true, null]) } }))],
      ['load: unknown parameter', () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: { [r.pick(['configx', 'files', 'file', 'FILE:1/x'])]: 'x' } }))],
      ['load: config not JSON', () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: { config: r.pick(['{', 'name: "x"', '']) } }))],
      [
        'load: config of the wrong shape',
        () =>
          this.request(
            'POST',
            '/v2/repository/models/batching/load',
            {},
            JSON.stringify({ parameters: { config: JSON.stringify(r.pick([{ max_batch_size: 'many' }, { input: 3 }, { nosuchfield: 1 }, { version_policy: { latest: { num_versions: -1 } } }])) } }),
          ),
      ],
      ['load: file without config', () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: { 'file:1/model.py': b64('print(1)') } }))],
      [
        'load: file not base64',
        () => this.request('POST', '/v2/repository/models/batching/load', {}, JSON.stringify({ parameters: { config: goodConfig, 'file:1/x': r.pick(['***', 'a b c !', '%%%%']) } })),
      ],
      [
        'load: file path escapes',
        () =>
          this.request(
            'POST',
            '/v2/repository/models/batching/load',
            {},
            JSON.stringify({ parameters: { config: goodConfig, [`file:${r.pick(['../../x', '/etc/x', '1/../../x', '..'])}`]: b64('x') } }),
          ),
      ],
      [
        'load: model file outside the model folder',
        () =>
          this.request(
            'POST',
            '/v2/repository/models/batching/load',
            {},
            JSON.stringify({ parameters: { config: JSON.stringify({ ...JSON.parse(goodConfig), default_model_filename: r.pick(['../../../etc/passwd', '/etc/passwd', '../../x/1/model.py']) }) } }),
          ),
      ],
      ['load: unknown model', () => this.request('POST', `/v2/repository/models/no_such_${r.int(0, 1e6)}/load`, {}, '')],
      ['load: name with traversal', () => this.request('POST', `/v2/repository/models/${r.pick(['..', '%2e%2e', '..%2fetc', 'a%2fb', '%20'])}/load`, {}, '')],
      ['unload: unknown model', () => this.request('POST', `/v2/repository/models/no_such_${r.int(0, 1e6)}/unload`, {}, '')],
      ['unload: bad unload_dependents', () => this.request('POST', '/v2/repository/models/no_such/unload', {}, JSON.stringify({ parameters: { unload_dependents: r.pick(['yes', 1, {}, []]) } }))],
      ['index: bad ready', () => this.request('POST', '/v2/repository/index', {}, JSON.stringify({ ready: r.pick(['yes', 1, {}, []]) }))],
      ['index: invalid JSON', () => this.request('POST', '/v2/repository/index', {}, r.pick(['{', '{"ready": tru', 'x']))],
      ['named repository', () => this.request('POST', r.pick(['/v2/repository/other/models/batching/load', '/v2/repository/other/models/batching/unload']), {}, '')],
      [
        'shared memory registration',
        () => this.request('POST', `/v2/${r.pick(['system', 'cuda'])}sharedmemory/region/r${r.int(0, 9)}/register`, {}, JSON.stringify({ key: 'x', offset: 0, byte_size: 16 })),
      ],
    ];
    const [label, make] = r.pick(variants);
    return { kind: 'control', label, raw: make() };
  }

  /** Trace and logging settings that must be refused. */
  settings(): HttpCase {
    const r = this.rng;
    const variants: [string, () => Buffer][] = [
      ['trace: invalid JSON', () => this.request('POST', '/v2/trace/setting', {}, r.pick(['{', '{"trace_rate": }', 'x']))],
      ['trace: bad rate', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ trace_rate: r.pick(['abc', '-1', '99999999999', '']) }))],
      ['trace: bad count', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ trace_count: r.pick(['x', '-7', '9999999999']) }))],
      ['trace: value not a string', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ [r.pick(['trace_rate', 'trace_count', 'log_frequency'])]: r.pick([1, true, {}, []]) }))],
      ['trace: level not a list', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ trace_level: r.pick(['TIMESTAMPS', 1, {}]) }))],
      ['trace: level OFF with another', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ trace_level: ['OFF', 'TIMESTAMPS'] }))],
      ['trace: set the file', () => this.request('POST', '/v2/trace/setting', {}, JSON.stringify({ trace_file: '/tmp/x.json' }))],
      ['trace: unknown model', () => this.request('POST', `/v2/models/no_such_${r.int(0, 99)}/trace/setting`, {}, '{}')],
      ['logging: invalid JSON', () => this.request('POST', '/v2/logging', {}, r.pick(['{', '{"log_info": }']))],
      [
        'logging: wrong types',
        () =>
          this.request(
            'POST',
            '/v2/logging',
            {},
            JSON.stringify(r.pick([{ log_info: 'yes' }, { log_verbose_level: -1 }, { log_verbose_level: 'x' }, { log_format: 'xml' }, { log_format: 1 }, { log_warning: {} }])),
          ),
      ],
      ['logging: set the file', () => this.request('POST', '/v2/logging', {}, JSON.stringify({ log_file: '/tmp/x.log' }))],
      ['logging: nested value', () => this.request('POST', '/v2/logging', {}, JSON.stringify({ log_info: [true] }))],
    ];
    const [label, make] = r.pick(variants);
    return { kind: 'settings', label, raw: make() };
  }

  /** One case, by weight. */
  next(maxInputBytes: number): HttpCase {
    const w = this.rng.next();
    if (w < 0.12) return this.protocol();
    if (w < 0.27) return this.url();
    if (w < 0.57) return this.inferJson();
    if (w < 0.72) return this.inferBinary();
    if (w < 0.8) return this.encoding(maxInputBytes);
    if (w < 0.92) return this.control();
    return this.settings();
  }
}
