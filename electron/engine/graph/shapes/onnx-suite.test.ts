/**
 * Every shape rule against the ONNX backend node test suite: 1827 small
 * models from the onnx package (one or a few nodes each, for every operator
 * and many attribute combinations), with the shapes of the outputs their
 * reference implementation produced. Inferred dims must never contradict
 * them; outputs left untyped must belong to operators the lab has no rule for.
 * The fixture is written by fixtures/gen-onnx-node-suite.py.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../analyze';
import { parseOnnxFile } from '../onnx-summary';

type Suite = Record<string, { model: string; outputs: Record<string, number[]> }>;

const SUITE = JSON.parse(gunzipSync(readFileSync(path.join(__dirname, 'fixtures', 'onnx-node-suite.json.gz'))).toString('utf8')) as Suite;

/** Operators without a rule (training, signal processing, string, optional and the newest preview ones). */
const NO_RULE = new Set(['Adagrad', 'Adam', 'Momentum', 'CausalConvWithState', 'FlexAttention', 'LinearAttention', 'SwiGLU']);
const NO_RULE_MORE = new Set(['ImageDecoder', 'TfIdfVectorizer', 'SequenceAt', 'SequenceMap', 'ConcatFromSequence']);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnx-suite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ONNX backend node test suite', () => {
  it('inferred dims never contradict the reference outputs, and leave few untyped', async () => {
    const wrong: string[] = [];
    const untyped: string[] = [];
    let exact = 0;
    let outputs = 0;
    for (const [name, c] of Object.entries(SUITE)) {
      const file = path.join(dir, `${name}.onnx`);
      await writeFile(file, Buffer.from(c.model, 'base64'));
      const s = (await analyzeGraph(await parseOnnxFile(file), file)).summary;
      const producer = new Map(s.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
      for (const [out, real] of Object.entries(c.outputs)) {
        outputs++;
        const dims = s.inferred?.[out]?.dims;
        const op = producer.get(out) ?? '?';
        if (!dims) {
          if (!NO_RULE.has(op) && !NO_RULE_MORE.has(op)) untyped.push(`${name}: ${out} (${op})`);
          continue;
        }
        // A symbol or null where the run had a size is allowed (data-dependent); a different size or rank is not.
        if (dims.length !== real.length || dims.some((d, i) => typeof d === 'number' && d !== real[i]))
          wrong.push(`${name}: ${out} (${op}) inferred ${JSON.stringify(dims)}, ran ${JSON.stringify(real)}`);
        else if (dims.every((d, i) => d === real[i])) exact++;
      }
    }
    expect(wrong).toEqual([]);
    expect(untyped.length, untyped.join('\n')).toBeLessThanOrEqual(10);
    // The rest are symbols or open dims where the size comes from a graph input (Reshape targets, Resize scales, axes given at run time).
    expect(exact / outputs).toBeGreaterThan(0.74);
  }, 120_000);
});
