/**
 * bench:profile's independent client as its own process (plain Node, no lab code): a closed loop of
 * `concurrency` callers over one keep-alive agent, each sending the same prepared request (body and
 * headers read once from a JSON file the bench wrote with TritonHttpClient.encodeInfer) and reading
 * the answer without decoding it. Its completions are counted in windows of `windowMs` (a request
 * counts in the window its answer came in) until the first 3 in a row whose counts and average
 * latencies agree within 10% (perf_analyzer's reading), at most `maxWindows`. Prints one JSON line:
 * throughput (null when no 3 agreed), p50 latency, requests, and its own CPU seconds and wall time.
 *
 * usage: node independent-client.mjs <url> <model> <concurrency> <request.json> <windowMs> <maxWindows>
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, model, cArg, reqFile, windowArg, maxArg] = process.argv.slice(2);
const c = Number(cArg);
const windowMs = Number(windowArg);
const maxWindows = Number(maxArg);
const u = new URL(url.includes('://') ? url : `http://${url}`);
const spec = JSON.parse(readFileSync(reqFile, 'utf8'));
const body = Buffer.from(spec.body, 'base64');
const headers = { ...spec.headers, 'Content-Length': body.byteLength };
const agent = new http.Agent({ keepAlive: true, maxSockets: c + 4 });
const path = `/v2/models/${model}/infer`;

function send() {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: Number(u.port), method: 'POST', path, agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: c }, () => send()));
const lat = [];
const windows = [];
let cur = { n: 0, latMs: 0 };
let stop = false;
const workers = Promise.all(
  Array.from({ length: c }, async () => {
    while (!stop) {
      const s = process.hrtime.bigint();
      await send();
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      cur.n++;
      cur.latMs += ms;
      lat.push(ms);
    }
  }),
);
const agree = (xs) => Math.max(...xs) / Math.max(1e-9, Math.min(...xs)) <= 1.1;
let edge = process.hrtime.bigint();
let throughput = null;
while (windows.length < maxWindows) {
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const now = process.hrtime.bigint();
  windows.push({ ...cur, s: Number(now - edge) / 1e9 });
  edge = now;
  cur = { n: 0, latMs: 0 };
  const last = windows.slice(-3);
  if (last.length === 3 && last.every((w) => w.n > 0) && agree(last.map((w) => w.n)) && agree(last.map((w) => w.latMs / w.n))) {
    throughput = last.reduce((a, w) => a + w.n, 0) / last.reduce((a, w) => a + w.s, 0);
    break;
  }
}
stop = true;
await workers;
agent.destroy();
lat.sort((a, b) => a - b);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ throughput, p50ms: lat[Math.floor(lat.length / 2)] ?? NaN, requests: lat.length, cpuS: (cpu.user + cpu.system) / 1e6, wallS: Number(process.hrtime.bigint() - t0) / 1e9 })}\n`,
);
