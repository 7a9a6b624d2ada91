/**
 * A fake RemoteHost for the registry's and the routing's tests: one in-memory "server" per URL with
 * an index, configs in Triton's JSON shape, statistics, model control on or off, and an identity
 * model that echoes its input; a URL absent from the table is refused as a real socket would be.
 */
import type { RemoteModelMetadata } from '../../../contract/remote-api';
import { LabError } from '../../errors';
import { MemoryCredentials } from '../memory-credentials';
import type { RemoteHost, RemoteIndexEntry, RemoteInferRequest, RemoteInferResult, RemoteStatistics, TritonConnectOptions, TritonConnection } from '../types';

export interface FakeServer {
  extensions: string[];
  index: RemoteIndexEntry[];
  configs: Record<string, unknown>;
  modelControl: boolean;
  stats?: RemoteStatistics;
  /** Header values the server insists on (e.g. authorization). */
  requireHeaders?: Record<string, string>;
}

export const IDENTITY_CONFIG = {
  name: 'identity',
  platform: '',
  backend: 'onnxruntime',
  max_batch_size: 8,
  input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [4], is_shape_tensor: false, allow_ragged_batch: false, optional: false }],
  output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [4], label_filename: '', is_shape_tensor: false }],
  instance_group: [{ name: 'identity_0', kind: 'KIND_GPU', count: 2, gpus: [0], secondary_devices: [], profile: [], passive: false, host_policy: '' }],
  dynamic_batching: { preferred_batch_size: [4], max_queue_delay_microseconds: '100', preserve_ordering: false, priority_levels: '0', default_priority_level: '0', priority_queue_policy: {} },
  optimization: { priority: 'PRIORITY_DEFAULT', input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true }, gather_kernel_buffer_threshold: 0, eager_batching: false },
  version_policy: { latest: { num_versions: 1 } },
  default_model_filename: 'model.onnx',
  parameters: {},
  model_warmup: [],
  response_cache: { enable: false },
  some_field_from_a_newer_triton: { x: 1 },
};

export class FakeRemoteHost implements RemoteHost {
  readonly credentials = new MemoryCredentials();
  readonly servers = new Map<string, FakeServer>();
  readonly connects: TritonConnectOptions[] = [];
  readonly calls: string[] = [];
  readonly fetchText = async (): Promise<string> => '';

  connect(opts: TritonConnectOptions): TritonConnection {
    this.connects.push(opts);
    const server = (): FakeServer => {
      const s = this.servers.get(opts.url);
      if (!s) throw new LabError('UNAVAILABLE', `${opts.url}: connection refused`, { reason: 'REMOTE_REFUSED' });
      for (const [k, v] of Object.entries(s.requireHeaders ?? {})) if (opts.headers[k] !== v) throw new LabError('UNAVAILABLE', 'Unauthorized');
      return s;
    };
    const call = async <T>(name: string, f: (s: FakeServer) => T): Promise<T> => {
      this.calls.push(name);
      return f(server());
    };
    return {
      protocol: opts.url.startsWith('grpc') ? 'grpc' : 'http',
      serverMetadata: () => call('serverMetadata', (s) => ({ name: 'triton', version: '2.50.0', extensions: [...s.extensions] })),
      ready: () => call('ready', () => true),
      repositoryIndex: () => call('repositoryIndex', (s) => s.index.map((e) => ({ ...e }))),
      modelConfig: (m) =>
        call('modelConfig', (s) => {
          const c = s.configs[m];
          if (!c) throw new LabError('NOT_FOUND', `Request for unknown model: '${m}' is not found`);
          return c;
        }),
      modelMetadata: (m) =>
        call('modelMetadata', (s): RemoteModelMetadata => {
          if (!s.index.some((e) => e.name === m && e.state === 'READY')) throw new LabError('UNAVAILABLE', `Request for unknown model: '${m}' has no available versions`);
          return {
            name: m,
            versions: ['1'],
            platform: 'onnxruntime_onnx',
            inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [-1, 4] }],
            outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [-1, 4] }],
          };
        }),
      statistics: (m) => call('statistics', (s) => s.stats ?? { model_stats: [{ name: m ?? '', version: '1' }] }),
      load: (m) =>
        call('load', (s) => {
          if (!s.modelControl) throw new LabError('UNAVAILABLE', 'explicit model load / unload is not allowed if polling is enabled');
          for (const e of s.index) if (e.name === m) Object.assign(e, { state: 'READY', reason: '', version: e.version || '1' });
        }),
      unload: (m) =>
        call('unload', (s) => {
          if (!s.modelControl) throw new LabError('UNAVAILABLE', 'explicit model load / unload is not allowed if polling is enabled');
          for (const e of s.index) if (e.name === m) Object.assign(e, { state: 'UNAVAILABLE', reason: 'unloaded' });
        }),
      infer: (model: string, version: string, req: RemoteInferRequest) =>
        call('infer', (): RemoteInferResult => {
          this.calls.push(`infer ${model} v${version || 'latest'} headers=${Object.keys(opts.headers).join(',')}`);
          if (req.parameters) this.calls.push(`parameters ${JSON.stringify(req.parameters)}`);
          return { modelVersion: '1', outputs: req.inputs.map((t) => ({ ...t, name: t.name.replace('INPUT', 'OUTPUT') })), sendNs: 1, recvNs: 1 };
        }),
      close: () => this.calls.push('close'),
    };
  }
}

export function fakeServer(over: Partial<FakeServer> = {}): FakeServer {
  return {
    extensions: ['classification', 'model_repository', 'model_repository(unload_dependents)', 'statistics', 'binary_tensor_data'],
    index: [
      { name: 'identity', version: '1', state: 'READY', reason: '' },
      { name: 'broken', version: '1', state: 'UNAVAILABLE', reason: 'failed to load: model.onnx not found' },
      { name: 'idle', version: '', state: '', reason: '' },
    ],
    configs: { identity: IDENTITY_CONFIG, idle: { ...IDENTITY_CONFIG, name: 'idle' } },
    modelControl: true,
    ...over,
  };
}
