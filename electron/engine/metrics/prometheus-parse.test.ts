import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { PROM_LIMITS, parsePrometheusText, parsePromValue } from './prometheus-parse';

const FIXTURE = readFileSync(path.join(__dirname, 'fixtures', 'triton-gpu-metrics.txt'), 'utf8');

function refusal(text: string, limits = PROM_LIMITS): LabError {
  try {
    parsePrometheusText(text, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('expected the text to be refused');
}

describe('parsePrometheusText', () => {
  it('reads Triton-shaped exposition text (types, labels, summaries, unlabelled gauges)', () => {
    const exp = parsePrometheusText(FIXTURE);
    expect(exp.types.get('nv_inference_request_success')).toBe('counter');
    expect(exp.types.get('nv_inference_queue_summary_us')).toBe('summary');
    expect(exp.types.get('nv_gpu_utilization')).toBe('gauge');
    expect(exp.samples[0]).toEqual({ name: 'nv_inference_request_success', labels: { gpu_uuid: 'GPU-0a1b', model: 'resnet50', version: '1' }, value: 120 });
    expect(exp.samples.find((s) => s.name === 'nv_cpu_utilization')).toEqual({ name: 'nv_cpu_utilization', labels: {}, value: 0.41 });
    expect(exp.samples.find((s) => s.labels['quantile'] === '0.9')?.value).toBe(97);
    expect(exp.samples.filter((s) => s.name === 'nv_inference_request_failure')).toHaveLength(5);
  });

  it('unescapes label values and accepts spaces, trailing commas, CRLF and timestamps', () => {
    const text = 'm{a="q\\"uote",b="back\\\\slash",c="new\\nline", d = "x" ,} 1.5e3 1700000000000\r\nn 2\n';
    const exp = parsePrometheusText(text);
    expect(exp.samples).toEqual([
      { name: 'm', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline', d: 'x' }, value: 1500 },
      { name: 'n', labels: {}, value: 2 },
    ]);
  });

  it('reads NaN and ±Inf as the format spells them', () => {
    expect(parsePromValue('NaN')).toBeNaN();
    expect(parsePromValue('+Inf')).toBe(Infinity);
    expect(parsePromValue('-Inf')).toBe(-Infinity);
    expect(parsePromValue('1e3')).toBe(1000);
    expect(parsePromValue('0x10')).toBeUndefined();
    expect(parsePromValue('Infinity')).toBeUndefined();
    const exp = parsePrometheusText('a NaN\nb{le="+Inf"} +Inf\n');
    expect(exp.samples[0]!.value).toBeNaN();
    expect(exp.samples[1]).toEqual({ name: 'b', labels: { le: '+Inf' }, value: Infinity });
  });

  it('refuses a malformed line with its number, as Prometheus fails the scrape', () => {
    const cases: [string, RegExp][] = [
      ['ok 1\n<html>\n', /line 2: not a sample/],
      ['m{a="x} 1\n', /line 1: unterminated label value/],
      ['m{a="\\t"} 1\n', /bad escape/],
      ['m{a="1",a="2"} 1\n', /label 'a' twice/],
      ['m{1a="x"} 1\n', /bad label name/],
      ['m{a="x" b="y"} 1\n', /expected ',' or '}'/],
      ['m one\n', /bad value 'one'/],
      ['m 1 2 3\n', /expected a value and an optional timestamp/],
      ['m 1 soon\n', /bad timestamp/],
      ['m\n', /expected a value/],
      ['# TYPE m meter\n', /unknown type 'meter'/],
      ['# TYPE m counter\n# TYPE m gauge\n', /second TYPE for m/],
      ['m{a="x"}1\n', /unexpected '1'/],
    ];
    for (const [text, msg] of cases) {
      const e = refusal(text);
      expect(e.message, text).toMatch(msg);
      expect(e.reason).toBe('REMOTE_PROTOCOL');
    }
  });

  it('is bounded: total size, line length, samples and labels', () => {
    const small = { maxChars: 1000, maxLineChars: 100, maxSamples: 3, maxLabels: 2 };
    expect(refusal('m 1\n'.repeat(300), small).message).toMatch(/larger than 1000 characters/);
    expect(refusal(`m{a="${'x'.repeat(200)}"} 1\n`, small).message).toMatch(/line 1: line longer than 100/);
    expect(refusal('a 1\nb 2\nc 3\nd 4\n', small).message).toMatch(/line 4: more than 3 samples/);
    expect(refusal('m{a="1",b="2",c="3"} 1\n', small).message).toMatch(/more than 2 labels/);
    // The defaults hold a long Triton export and still stop a hostile one.
    expect(() => parsePrometheusText('x'.repeat(PROM_LIMITS.maxChars + 1))).toThrow(/larger than/);
    expect(() => parsePrometheusText(`m{a="${'y'.repeat(PROM_LIMITS.maxLineChars)}"} 1`)).toThrow(/line longer than/);
  });

  it('keeps a label named __proto__ as a plain label', () => {
    const exp = parsePrometheusText('m{__proto__="x",constructor="y"} 1\n');
    expect(Object.keys(exp.samples[0]!.labels)).toEqual(['__proto__', 'constructor']);
    expect(exp.samples[0]!.labels['__proto__']).toBe('x');
  });
});
