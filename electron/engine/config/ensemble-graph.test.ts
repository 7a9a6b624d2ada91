/**
 * ValidateEnsembleSchedulingConfig / BuildEnsembleGraph: the static dataflow
 * check Triton runs on an ensemble before any member is loaded.
 */
import { describe, expect, it } from 'vitest';
import { validateEnsembleScheduling } from './ensemble-graph';
import { config, errorsOf } from './testing/config';
import { parseConfigText } from './text/parse';
import { spanAt } from './text/source-map';

const IO = `
input { name: "IN" data_type: TYPE_FP32 dims: [ -1 ] }
output { name: "OUT" data_type: TYPE_FP32 dims: [ -1 ] }`;

const step = (model: string, inputs: Record<string, string>, outputs: Record<string, string>, extra = ''): string =>
  `step { model_name: "${model}" ${extra} ${Object.entries(inputs)
    .map(([k, v]) => `input_map { key: "${k}" value: "${v}" }`)
    .join(' ')} ${Object.entries(outputs)
    .map(([k, v]) => `output_map { key: "${k}" value: "${v}" }`)
    .join(' ')} }`;

const ensemble = (steps: string, io = IO, extra = ''): string => `name: "e" platform: "ensemble" max_batch_size: 4 ${io} ${extra}\nensemble_scheduling {\n${steps}\n}\n`;
const errors = (text: string): string[] => errorsOf(validateEnsembleScheduling(config(text)));

const chain = step('a', { x: 'IN' }, { y: 'mid' }) + '\n' + step('b', { x: 'mid' }, { y: 'OUT' });

describe('ensemble structure', () => {
  it('accepts a connected chain', () => {
    expect(errors(ensemble(chain))).toEqual([]);
  });

  it('accepts one tensor feeding two steps', () => {
    const steps = [step('a', { x: 'IN' }, { y: 'pre' }), step('b', { x: 'pre' }, { y: 'det' }), step('c', { p: 'pre', d: 'det' }, { y: 'OUT' })].join('\n');
    expect(errors(ensemble(steps))).toEqual([]);
  });

  it('refuses instance groups, optimization and warmup on an ensemble', () => {
    expect(errors(ensemble(chain, IO, 'instance_group { kind: KIND_CPU }'))).toEqual(["instance group should not be specified for ensemble 'e'"]);
    expect(errors(ensemble(chain, IO, 'optimization { }'))).toEqual(["optimization should not be specified for ensemble 'e'"]);
    expect(errors(ensemble(chain, IO, 'model_warmup { name: "w" }'))).toEqual(["model_warmup can not be specified for ensemble 'e'"]);
  });

  it('needs at least one step', () => {
    expect(errors(ensemble(''))).toEqual(["must specify 'step' for ensemble 'e'"]);
  });

  it('each step needs model_name, input_map and output_map', () => {
    expect(errors(ensemble(chain + '\nstep { input_map { key: "x" value: "IN" } output_map { key: "y" value: "z" } }'))).toEqual(["must specify 'model_name' in step 2 of ensemble 'e'"]);
    expect(errors(ensemble(step('a', {}, { y: 'OUT' })))).toEqual(["must specify 'input_map' in step 0 of ensemble 'e'"]);
    expect(errors(ensemble(step('a', { x: 'IN' }, {})))).toEqual(["must specify 'output_map' in step 0 of ensemble 'e'"]);
  });
});

describe('ensemble dataflow', () => {
  it('a tensor may be written by one output map only', () => {
    const text = ensemble(step('a', { x: 'IN' }, { y: 'OUT' }) + '\n' + step('b', { x: 'IN' }, { y: 'OUT' }));
    const issues = validateEnsembleScheduling(config(text));
    expect(errorsOf(issues)).toEqual(["ensemble tensor 'OUT' can appear in an output map only once for ensemble 'e' step 1"]);
    // The diagnostic points at the second writer's output_map entry.
    const outline = parseConfigText(text).outline;
    const line = text.split('\n').findIndex((l) => l.includes('model_name: "b"')) + 1;
    expect(spanAt(outline.root, issues[0]!.path!)?.start.line).toBe(line);
  });

  it("every ensemble input must be used (with Triton's stray quote)", () => {
    const io = `${IO}\ninput { name: "SPARE" data_type: TYPE_FP32 dims: [ -1 ] }`;
    expect(errors(ensemble(chain, io))).toEqual(["ensemble input 'SPARE' for ensemble e' is not used"]);
  });

  it('every ensemble output must appear in the graph', () => {
    const io = `${IO}\noutput { name: "EXTRA" data_type: TYPE_FP32 dims: [ -1 ] }`;
    expect(errors(ensemble(chain, io))).toEqual(["ensemble output 'EXTRA' for ensemble e' is not used"]);
  });

  it('an output fed by a tensor nobody writes is not written, naming the unconnected tensor', () => {
    const steps = step('a', { x: 'IN', z: 'nowhere' }, { y: 'mid' }) + '\n' + step('b', { x: 'mid' }, { y: 'OUT' });
    expect(errors(ensemble(steps))[0]).toBe("output 'OUT' for ensemble 'e' is not written: at least one of its depending tensors, 'nowhere', is not connected");
  });

  it('an output that is only ever read is not written, without a depending tensor', () => {
    const io = `${IO}\noutput { name: "OUT2" data_type: TYPE_FP32 dims: [ -1 ] }`;
    const steps = chain + '\n' + step('c', { x: 'OUT2' }, { y: 'sink' });
    expect(errors(ensemble(steps, io))[0]).toBe("output 'OUT2' for ensemble 'e' is not written");
  });

  it('a cycle leaves the output unwritten, naming a tensor of the cycle', () => {
    const steps = [step('a', { x: 'IN', loop: 't2' }, { y: 't1' }), step('b', { x: 't1' }, { y: 't2' }), step('c', { x: 't1' }, { y: 'OUT' })].join('\n');
    expect(errors(ensemble(steps))[0]).toBe("output 'OUT' for ensemble 'e' is not written: at least one of its depending tensors, 't2', is not connected");
  });

  it('a tensor written but never read is unused', () => {
    const steps = step('a', { x: 'IN' }, { y: 'mid', extra: 'leftover' }) + '\n' + step('b', { x: 'mid' }, { y: 'OUT' });
    expect(errors(ensemble(steps))).toEqual(["ensemble tensor 'leftover' is unused in ensemble 'e'"]);
  });
});
