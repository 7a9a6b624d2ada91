/**
 * `model-lab serve`: tritonserver's flags (restricted APIs included), the
 * lab's protection flags, the loopback default and its warning, and real
 * starts on free ports answering Triton's clients, then graceful stops.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { f32, scriptConfig, scriptModel } from '../engine/runtime/testing/models';
import { status } from '@grpc/grpc-js';
import { type GrpcInferenceClient, createGrpcClient, inferRequest } from '../server/triton/grpc/client';
import { TritonHttpClient } from '../server/triton/http/client';
import { writeServeRepo } from '../server/triton/testing/serve-fixture';
import { alive, spawningModel, stubs, until } from '../engine/backends/python/testing/processes';
import { pythonConfig, pythonMissing } from '../engine/backends/python/testing/repo';
import { UsageError } from './args';
import { runCli } from './main';
import type { Output } from './output';
import { type RunningServe, parseServeArgs, startServe } from './serve';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

describe('serve arguments', () => {
  it('takes the repository as --model-repository or a positional, with Triton ports on 127.0.0.1', () => {
    const a = parseServeArgs(['--model-repository=/tmp/repo']);
    const b = parseServeArgs(['/tmp/repo']);
    for (const s of [a, b]) {
      if (s === 'help') throw new Error('help');
      expect(s.repoDir).toBe(path.resolve('/tmp/repo'));
      expect(s.options.http).toEqual({ host: '127.0.0.1', port: 8000 });
      expect(s.options.grpc).toEqual({ host: '127.0.0.1', port: 8001 });
      expect(s.options.metrics).toEqual({ host: '127.0.0.1', port: 8002 });
      expect(s.controlMode).toBe('none');
      expect(s.warnings).toEqual([]);
    }
  });

  it("reads tritonserver's flags and warns when binding beyond this machine", () => {
    const s = parseServeArgs([
      '/r',
      '--http-port=9000',
      '--grpc-port',
      '9001',
      '--allow-metrics=false',
      '--http-address=0.0.0.0',
      '--model-control-mode=explicit',
      '--load-model=a',
      '--load-model=b',
      '--strict-readiness=false',
      '--exit-timeout-secs=5',
      '--trace-config=triton,file=/tmp/t.json',
      '--trace-config=level=TIMESTAMPS',
      '--log-verbose=1',
      '--pinned-memory-pool-byte-size=0',
    ]);
    if (s === 'help') throw new Error('help');
    expect(s.options.http).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(s.options.grpc).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(s.options.metrics).toBe(false);
    expect(s.startupModels).toEqual(['a', 'b']);
    expect(s.options.strictReadiness).toBe(false);
    expect(s.options.trace).toEqual({ file: '/tmp/t.json', level: ['TIMESTAMPS'] });
    expect(s.warnings).toEqual([
      '--pinned-memory-pool-byte-size has no effect in Model Lab; ignored',
      'the HTTP endpoint listens on 0.0.0.0: anyone who can reach this address can run, load and unload models',
    ]);
  });

  it('reads the protection flags: allowed origins, restricted APIs and protocols, timeouts and sizes', () => {
    const s = parseServeArgs([
      '/r',
      '--http-allow-origin=http://localhost:3000,https://app.example',
      '--http-allow-origin',
      'http://127.0.0.1:5173',
      '--http-restricted-api=model-repository,logging:admin-key=s3cret',
      '--http-restricted-api=inference:infer-key=k',
      '--grpc-restricted-protocol=model-repository:admin-key=s3cret',
      '--http-header-timeout-secs=5',
      '--http-body-timeout-secs=9',
      '--http-max-body-size=1000',
      '--http-body-budget=5000',
      '--http-max-connections=10',
      '--http-send-timeout-secs=7',
      '--grpc-max-message-size=2048',
      '--grpc-max-connections=12',
      '--grpc-max-concurrent-streams=8',
      '--grpc-max-connection-age=60000',
      '--grpc-max-connection-age-grace=5000',
      '--grpc-keepalive-time=30000',
      '--grpc-keepalive-timeout=1000',
    ]);
    if (s === 'help') throw new Error('help');
    expect(s.options).toMatchObject({
      httpAllowOrigins: ['http://localhost:3000', 'https://app.example', 'http://127.0.0.1:5173'],
      httpRestricted: {
        'model-repository': { header: 'admin-key', value: 's3cret' },
        logging: { header: 'admin-key', value: 's3cret' },
        inference: { header: 'infer-key', value: 'k' },
      },
      grpcRestricted: { 'model-repository': { header: 'triton-grpc-protocol-admin-key', value: 's3cret' } },
      httpHeaderTimeoutMs: 5000,
      httpBodyTimeoutMs: 9000,
      httpMaxBodyBytes: 1000,
      httpBodyBudgetBytes: 5000,
      httpMaxConnections: 10,
      httpSendTimeoutMs: 7000,
      grpcMaxMessageBytes: 2048,
      grpcMaxConnections: 12,
      grpcMaxConcurrentStreams: 8,
      grpcMaxConnectionAgeMs: 60000,
      grpcMaxConnectionAgeGraceMs: 5000,
      grpcKeepaliveTimeMs: 30000,
      grpcKeepaliveTimeoutMs: 1000,
    });
    expect(s.warnings).toEqual([
      'web pages from http://localhost:3000, https://app.example, http://127.0.0.1:5173 can call the HTTP API (run inference)',
      'the key given with --http-restricted-api can be read by other users of this machine (ps, /proc/<pid>/cmdline); give it in MODEL_LAB_HTTP_RESTRICTED_API or --http-restricted-api-file instead',
      'the key given with --grpc-restricted-protocol can be read by other users of this machine (ps, /proc/<pid>/cmdline); give it in MODEL_LAB_GRPC_RESTRICTED_PROTOCOL or --grpc-restricted-protocol-file instead',
    ]);
    const d = parseServeArgs(['/r']);
    if (d === 'help') throw new Error('help');
    expect(d.options.httpAllowOrigins).toBeUndefined();
    expect(d.options.httpRestricted).toBeUndefined();
    expect(d.options.httpBodyBudgetBytes).toBeUndefined();
    expect(d.options).toMatchObject({
      httpHeaderTimeoutMs: 30_000,
      httpBodyTimeoutMs: 120_000,
      httpMaxConnections: 1024,
      httpSendTimeoutMs: 60_000,
      grpcMaxConnections: 256,
      grpcMaxConcurrentStreams: 100,
    });
    expect(d.options.grpcMaxConnectionAgeMs).toBeUndefined();
  });

  it.each([
    [['/r', '--http-restricted-api=admin:k=v'], "unknown restricted api 'admin'"],
    [['/r', '--grpc-restricted-protocol=admin:k=v'], "unknown restricted protocol 'admin'"],
    [['/r', '--http-restricted-api=inference:k=v', '--http-restricted-api=inference,health:x=y'], "restricted api 'inference' can not be specified in multiple config groups"],
    [['/r', '--http-restricted-api=inference:k'], "--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference:k"],
    [['/r', '--http-allow-origin=*'], "--http-allow-origin expects origins such as http://localhost:3000 (scheme, host and port only; '*' and 'null' are not accepted), got '*'"],
    [['/r', '--http-allow-origin=localhost:3000'], '--http-allow-origin expects origins'],
    [['/r', '--http-body-timeout-secs=0'], '--http-body-timeout-secs expects an integer from 1 to 86400'],
    [['/r', '--http-header-timeout-secs=soon'], '--http-header-timeout-secs expects an integer'],
    [['/r', '--http-max-body-size=-1'], '--http-max-body-size expects an integer'],
    [['/r', '--http-max-connections=0'], '--http-max-connections expects an integer'],
    [['/r', '--http-send-timeout-secs=0'], '--http-send-timeout-secs expects an integer from 1 to 86400'],
    [['/r', '--grpc-max-message-size=3000000000'], '--grpc-max-message-size expects an integer from 1 to 2147483647'],
    [['/r', '--grpc-max-connections=0'], '--grpc-max-connections expects an integer from 1 to 1000000'],
    [['/r', '--grpc-max-concurrent-streams=0'], '--grpc-max-concurrent-streams expects an integer'],
    [['/r', '--grpc-keepalive-time=-5'], '--grpc-keepalive-time expects an integer from 0 to 2147483647'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });

  it('takes restricted-API keys from the environment, off the command line, without a warning', () => {
    const s = parseServeArgs(['/r'], {
      MODEL_LAB_HTTP_RESTRICTED_API: 'model-repository,logging:admin-key=s3cret; inference:infer-key=k',
      MODEL_LAB_GRPC_RESTRICTED_PROTOCOL: 'model-repository:admin-key=s3cret\nhealth:h=v\n',
    });
    if (s === 'help') throw new Error('help');
    expect(s.options.httpRestricted).toEqual({
      'model-repository': { header: 'admin-key', value: 's3cret' },
      logging: { header: 'admin-key', value: 's3cret' },
      inference: { header: 'infer-key', value: 'k' },
    });
    expect(s.options.grpcRestricted).toEqual({
      'model-repository': { header: 'triton-grpc-protocol-admin-key', value: 's3cret' },
      health: { header: 'triton-grpc-protocol-h', value: 'v' },
    });
    expect(s.warnings).toEqual([]);
  });

  it('takes restricted-API keys from a file, and warns when other users may read it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-keys-'));
    try {
      const file = path.join(dir, 'keys');
      writeFileSync(file, '# admin key\nmodel-repository:admin-key=s3cret\n\ninference:infer-key=k;health:h=v\n', { mode: 0o600 });
      const s = parseServeArgs(['/r', `--http-restricted-api-file=${file}`, `--grpc-restricted-protocol-file=${file}`], {});
      if (s === 'help') throw new Error('help');
      expect(s.options.httpRestricted).toEqual({
        'model-repository': { header: 'admin-key', value: 's3cret' },
        inference: { header: 'infer-key', value: 'k' },
        health: { header: 'h', value: 'v' },
      });
      expect(s.options.grpcRestricted?.['model-repository']).toEqual({ header: 'triton-grpc-protocol-admin-key', value: 's3cret' });
      expect(s.warnings).toEqual([]);
      if (process.platform !== 'win32') {
        chmodSync(file, 0o644);
        const open = parseServeArgs(['/r', `--http-restricted-api-file=${file}`], {});
        if (open === 'help') throw new Error('help');
        expect(open.warnings).toEqual([`${file} (--http-restricted-api-file) can be read by other users; chmod 600 it`]);
      }
      // A category given in two places is Triton's error, wherever the groups come from.
      expect(() => parseServeArgs(['/r', `--http-restricted-api-file=${file}`], { MODEL_LAB_HTTP_RESTRICTED_API: 'inference:x=y' })).toThrow(
        "restricted api 'inference' can not be specified in multiple config groups",
      );
      expect(() => parseServeArgs(['/r', `--http-restricted-api-file=${dir}`], {})).toThrow(`--http-restricted-api-file: ${dir} is not a regular file`);
      expect(() => parseServeArgs(['/r', `--http-restricted-api-file=${path.join(dir, 'none')}`], {})).toThrow(UsageError);
      expect(() => parseServeArgs(['/r'], { MODEL_LAB_HTTP_RESTRICTED_API: 'inference:k' })).toThrow("--http-restricted-api option format is '<config name>:<setting>=<value>'. Got inference:k");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['/r', '--http-port=70000'], '--http-port expects an integer from 0 to 65535'],
    [['/r', '--model-control-mode=sometimes'], '--model-control-mode must be none, poll or explicit'],
    [['/r', '--load-model=a'], '--load-model needs --model-control-mode=explicit'],
    [['/r', '--model-control-mode=explicit', '--load-model=*', '--load-model=a'], "Wildcard model name '*' must be the ONLY startup model if specified at all."],
    [['/r', '--allow-grpc=maybe'], '--allow-grpc expects true or false'],
    [['/r', '--no-such-flag'], "Unknown option '--no-such-flag'"],
    [[], 'a model repository is required'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });

  it('exits 2 with the serve usage on bad flags', async () => {
    const io = collect();
    expect(await runCli(['serve', '/r', '--http-port=x'], io)).toBe(2);
    expect(io.errs.join('\n')).toContain('Usage: model-lab serve <repo>');
  });
});

/**
 * Serves the serving fixture with `flags` (ports picked free), hands `use` the running server with
 * HTTP and gRPC clients on it, and always stops it and removes the folder afterwards.
 */
async function withServe(
  flags: string[],
  use: (s: { running: RunningServe; io: ReturnType<typeof collect>; http: TritonHttpClient; grpc?: GrpcInferenceClient }) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<ReturnType<typeof collect>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-'));
  writeServeRepo(dir);
  const io = collect();
  const setup = parseServeArgs([dir, '--http-port=0', ...flags], env);
  if (setup === 'help') throw new Error('help');
  const running = await startServe(setup, io);
  const http = new TritonHttpClient(`http://127.0.0.1:${running.serving.http!.port}`);
  const grpc = running.serving.grpc ? createGrpcClient(`127.0.0.1:${running.serving.grpc.port}`) : undefined;
  try {
    await use({ running, io, http, ...(grpc ? { grpc } : {}) });
  } finally {
    http.close();
    grpc?.close();
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return io;
}

describe('serving', () => {
  it('loads the repository, prints the model table and addresses, answers clients, and stops gracefully', async () => {
    const io = await withServe(['--grpc-port=0', '--metrics-port=0'], async ({ io }) => {
      expect(io.out[0]).toMatch(/^MODEL\s+VERSION\s+BACKEND\s+STATE/);
      expect(io.out.some((l) => /^batching\s+1\s+identity\s+READY/.test(l))).toBe(true);
      const http = io.out.find((l) => l.startsWith('HTTP'))!;
      expect(http).toMatch(/^HTTP\s+http:\/\/127\.0\.0\.1:\d+$/);
      expect(io.out.some((l) => /^gRPC\s+127\.0\.0\.1:\d+$/.test(l))).toBe(true);
      expect(io.out.some((l) => /^Metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics$/.test(l))).toBe(true);
      const client = new TritonHttpClient(http.split(/\s+/)[1]!);
      expect(await client.ready()).toBe(true);
      expect((await client.infer('batching', [f32('INPUT0', [1, 2], [4, 5])])).outputs[0]!.shape).toEqual([1, 2]);
      const metrics = await fetch(io.out.find((l) => l.startsWith('Metrics'))!.split(/\s+/)[1]!);
      expect(await metrics.text()).toMatch(/nv_inference_request_success\{model="batching",version="1"\} 1/);
      client.close();
    });
    expect(io.errs.some((l) => l.includes('Started HTTPService at 127.0.0.1:'))).toBe(true);
  }, 30_000);

  it('explicit model control: the models not asked for are listed as not loaded, not as failures (--exit-on-error serves)', async () => {
    const flags = ['--allow-grpc=false', '--allow-metrics=false', '--model-control-mode=explicit', '--load-model=batching', '--exit-on-error=true'];
    await withServe(flags, async ({ io, http }) => {
      expect(io.out.some((l) => /^two_in\s+1\s+identity\s+UNAVAILABLE\s+unloaded$/.test(l))).toBe(true);
      expect(io.errs.filter((l) => l.includes('failed to load'))).toEqual([]);
      expect((await http.infer('batching', [f32('INPUT0', [1, 1], [1])])).outputs).toHaveLength(1);
    });
  }, 30_000);

  it('with --http-restricted-api / --grpc-restricted-protocol load needs the key; pages and rebinding are refused', async () => {
    const flags = [
      '--grpc-port=0',
      '--allow-metrics=false',
      '--model-control-mode=explicit',
      '--load-model=batching',
      '--http-restricted-api=model-repository:admin-key=s3cret',
      '--grpc-restricted-protocol=model-repository:admin-key=s3cret',
    ];
    await withServe(flags, async ({ running, http, grpc }) => {
      const refused = await http.request('POST', '/v2/repository/models/two_in/load', '');
      expect([refused.status, JSON.parse(refused.body.toString()).error]).toEqual([403, "This API is restricted, expecting header 'admin-key'"]);
      await expect(grpc!.repositoryModelLoad({ modelName: 'two_in' })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
        details: "This protocol is restricted, expecting header 'triton-grpc-protocol-admin-key'",
      });
      expect(running.repo.models.get('two_in')?.versions.some((v) => v.state === 'READY')).toBeFalsy();
      expect((await http.request('POST', '/v2/repository/models/two_in/load', '', { 'admin-key': 's3cret' })).status).toBe(200);
      await grpc!.repositoryModelUnload({ modelName: 'two_in' }, { metadata: { 'triton-grpc-protocol-admin-key': 's3cret' } });
      // Inference is not restricted; pages and rebinding are refused whatever the key.
      expect((await http.infer('batching', [f32('INPUT0', [1, 1], [1])])).outputs).toHaveLength(1);
      const page = await http.request('POST', '/v2/repository/models/two_in/load', '', { Origin: 'https://evil.example', 'admin-key': 's3cret' });
      expect(page.status).toBe(403);
      const rebound = await http.request('GET', '/v2/health/ready', undefined, { Host: 'evil.example' });
      expect(rebound.status).toBe(403);
    });
  }, 30_000);

  it('a key from the environment protects load as one from the command line does; one budget bounds both endpoints', async () => {
    const flags = ['--grpc-port=0', '--allow-metrics=false', '--model-control-mode=explicit', '--load-model=batching', '--http-body-budget=1048576'];
    await withServe(
      flags,
      async ({ http, grpc }) => {
        expect((await http.request('POST', '/v2/repository/models/two_in/load', '')).status).toBe(403);
        expect((await http.request('POST', '/v2/repository/models/two_in/load', '', { 'admin-key': 's3cret' })).status).toBe(200);
        const big = [f32('INPUT0', [1, 300_000], new Array<number>(300_000).fill(1))];
        await expect(grpc!.modelInfer(inferRequest('batching', big))).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
        expect((await grpc!.modelInfer(inferRequest('batching', [f32('INPUT0', [1, 2], [1, 2])]))).outputs).toHaveLength(1);
      },
      { MODEL_LAB_HTTP_RESTRICTED_API: 'model-repository:admin-key=s3cret' },
    );
  }, 30_000);

  it('--http-allow-origin lets that page call the API with CORS', async () => {
    await withServe(['--allow-grpc=false', '--allow-metrics=false', '--http-allow-origin=http://localhost:3000'], async ({ http }) => {
      const ok = await http.request('GET', '/v2/health/ready', undefined, { Origin: 'http://localhost:3000' });
      expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([200, 'http://localhost:3000']);
      expect((await http.request('GET', '/v2/health/ready', undefined, { Origin: 'http://localhost:3001' })).status).toBe(403);
    });
  }, 30_000);

  it('explains a port that is taken and starts nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-'));
    writeServeRepo(dir);
    const io = collect();
    const first = parseServeArgs([dir, '--http-port=0', '--grpc-port=0', '--allow-metrics=false']);
    if (first === 'help') throw new Error('help');
    const a = await startServe(first, io);
    try {
      const port = a.serving.http!.port;
      const second = parseServeArgs([dir, `--http-port=${port}`, '--grpc-port=0', '--allow-metrics=false']);
      if (second === 'help') throw new Error('help');
      await expect(startServe(second, collect())).rejects.toThrow(`failed to start HTTP service on 127.0.0.1:${port}: address already in use`);
    } finally {
      await a.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("prints what models log, as tritonserver prints a Python model's output, and honours --log-info", async () => {
    const run = async (flags: string[]): Promise<string[]> => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-log-'));
      mkdirSync(path.join(dir, 'talk', '1'), { recursive: true });
      writeFileSync(path.join(dir, 'talk', 'config.pbtxt'), scriptConfig('talk', { inputs: [{ name: 'IN', dims: [1] }], outputs: [{ name: 'OUT', dims: [1] }] }));
      writeFileSync(
        path.join(dir, 'talk', '1', 'model.js'),
        scriptModel(`    console.log('heard ' + pb_utils.get_input_tensor_by_name(request, 'IN').data[0]);
    const t = pb_utils.get_input_tensor_by_name(request, 'IN');
    return new pb_utils.InferenceResponse({ output_tensors: [new pb_utils.Tensor('OUT', t.data, t.shape)] });`),
      );
      const io = collect();
      const setup = parseServeArgs([dir, '--http-port=0', '--grpc-port=0', '--allow-metrics=false', ...flags]);
      if (setup === 'help') throw new Error('help');
      const running = await startServe(setup, io);
      try {
        const client = new TritonHttpClient(`http://127.0.0.1:${running.serving.http!.port}`);
        await client.infer('talk', [f32('IN', [1], [42])]);
        client.close();
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && !io.errs.some((l) => l.includes('heard 42'))) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await running.stop();
        rmSync(dir, { recursive: true, force: true });
      }
      return io.errs;
    };
    expect((await run([])).find((l) => l.includes('heard 42'))).toMatch(/^I\d{4} [\d:.]+ \d+ model-lab\] talk v1: heard 42$/);
    expect((await run(['--log-info=false'])).some((l) => l.includes('heard 42'))).toBe(false);
  }, 30_000);

  it.skipIf(pythonMissing || process.platform !== 'linux')(
    'stops within --exit-timeout-secs even when a model never finishes finalize(), leaving no Python process',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-exit-'));
      mkdirSync(path.join(dir, 'stuck', '1'), { recursive: true });
      writeFileSync(path.join(dir, 'stuck', 'config.pbtxt'), pythonConfig('stuck', { inputs: [{ name: 'IN', dims: [-1] }], outputs: [{ name: 'OUT', dims: [-1] }] }));
      writeFileSync(path.join(dir, 'stuck', '1', 'model.py'), spawningModel('import time; time.sleep(1000)'));
      const before = stubs();
      const setup = parseServeArgs([dir, '--http-port=0', '--allow-grpc=false', '--allow-metrics=false', '--exit-timeout-secs=2']);
      if (setup === 'help') throw new Error('help');
      const running = await startServe(setup, collect());
      const started = stubs().filter((p) => !before.includes(p));
      expect(started).toHaveLength(1);
      const t0 = Date.now();
      try {
        await running.stop();
        // The exit timeout, plus the moment the kill takes (repository.close alone would give finalize 10 s).
        expect(Date.now() - t0).toBeLessThan(3500);
        expect(await until(() => started.every((p) => !alive(p)), 2000)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
