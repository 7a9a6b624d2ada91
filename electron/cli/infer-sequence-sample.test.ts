/** The sequence sample from the command line: the accumulators (Python and script) and Triton's simple_sequence models. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from './main';
import type { Output } from './output';

function collect(): Output & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, log: (l) => out.push(l), err: (l) => errs.push(l) };
}

const sample = path.resolve('sample-repos/sequence_accumulator');
const outputsOf = (lines: string[]) => lines.map((l) => JSON.parse(l) as { sequence_id: string; sequence_start: boolean; sequence_end: boolean; outputs: { data: number[] }[] });

describe('model-lab infer on the sequence sample', () => {
  it.each(['accumulator', 'accumulator_js'])('%s keeps a running sum over the requests of one sequence', async (model) => {
    const io = collect();
    const code = await runCli(['infer', sample, model, '--sequence-id', '18446744073709551615', '-i', 'INPUT=[[1]]', '-i', 'INPUT=[[2]]', '-i', 'INPUT=[[3]]', '--json'], io);
    expect(io.errs).toEqual([]);
    expect(code).toBe(0);
    const results = outputsOf(io.out);
    expect(results.map((r) => r.outputs[0]!.data)).toEqual([[1], [3], [6]]);
    expect(results.map((r) => [r.sequence_id, r.sequence_start, r.sequence_end])).toEqual([
      ['18446744073709551615', true, false],
      ['18446744073709551615', false, false],
      ['18446744073709551615', false, true],
    ]);
  });

  it("simple_sequence answers as Triton's example model, and a request outside a sequence gets Triton's error", async () => {
    const io = collect();
    expect(await runCli(['infer', sample, 'simple_sequence', '--sequence-id', 'a-string-id', '-i', 'INPUT=[[20]]', '-i', 'INPUT=[[-11]]', '--json'], io)).toBe(0);
    expect(outputsOf(io.out).map((r) => r.outputs[0]!.data)).toEqual([[21], [-11]]);
    const bad = collect();
    expect(await runCli(['infer', sample, 'accumulator', '-i', 'INPUT=[[1]]'], bad)).toBe(1);
    expect(bad.errs.join('\n')).toContain('must specify a non-zero or non-empty correlation ID');
  });
});

describe('the running_sums ensemble', () => {
  it('gives each step the sequence: a running sum, then the running sum of that', async () => {
    const io = collect();
    expect(await runCli(['infer', sample, 'running_sums', '--sequence-id', 'abc', '-i', 'INPUT=[[1]]', '-i', 'INPUT=[[2]]', '-i', 'INPUT=[[3]]', '--json'], io)).toBe(1);
    // accumulator's CORRID is TYPE_UINT64: a string id is refused with Triton's wording.
    expect(io.errs.join('\n')).toContain("sequence batching control 'CORRID' data-type is 'BYTES', but model 'accumulator' expects 'UINT64'");
    const ok = collect();
    expect(await runCli(['infer', sample, 'running_sums', '--sequence-id', '5', '-i', 'INPUT=[[1]]', '-i', 'INPUT=[[2]]', '-i', 'INPUT=[[3]]', '--json'], ok)).toBe(0);
    const results = ok.out.map((l) => JSON.parse(l) as { outputs: { name: string; data: number[] }[] });
    const of = (name: string) => results.map((r) => r.outputs.find((o) => o.name === name)!.data[0]);
    expect(of('SUM')).toEqual([1, 3, 6]);
    expect(of('SUM_OF_SUMS')).toEqual([1, 4, 10]);
  });
});
