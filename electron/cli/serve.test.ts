/**
 * `model-lab serve`: tritonserver's flags, the loopback default and its
 * warning, and a real start on free ports answering Triton's clients, then a
 * graceful stop.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { f32, scriptConfig, scriptModel } from '../engine/runtime/testing/models';
import { TritonHttpClient } from '../server/triton/http/client';
import { writeServeRepo } from '../server/triton/testing/serve-fixture';
import { UsageError } from './args';
import { runCli } from './main';
import type { Output } from './output';
import { parseServeArgs, startServe } from './serve';

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

describe('serving', () => {
  it('loads the repository, prints the model table and addresses, answers clients, and stops gracefully', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-serve-'));
    writeServeRepo(dir);
    const io = collect();
    const setup = parseServeArgs([dir, '--http-port=0', '--grpc-port=0', '--metrics-port=0']);
    if (setup === 'help') throw new Error('help');
    const running = await startServe(setup, io);
    try {
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
    } finally {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(io.errs.some((l) => l.includes('Started HTTPService at 127.0.0.1:'))).toBe(true);
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
});
