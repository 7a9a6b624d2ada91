/**
 * "Use in config": the max_batch_size, input and output blocks a model's own
 * inputs and outputs call for, produced by the same auto-complete the ONNX
 * Runtime backend port runs at load time, and where the current config
 * disagrees with the model, each with what to change.
 */
import { create } from '@bufbuild/protobuf';
import type { ConfigFromModel, ConfigMismatch } from '../../contract/inspect-api';
import { autoCompleteOnnx } from '../backends/onnxruntime/config';
import { DataType, type ModelConfig, ModelConfigSchema, type ModelInput, type ModelOutput } from '../config/gen/model_config_pb';
import { toNumbers } from '../config/shape';
import { LabError } from '../errors';
import { type OnnxModelIO, type OnnxValueInfo, ortShape } from '../onnx/model-io';
import { configTypeName, dataTypeFromOnnx, onnxTypeName } from '../tensor/dtype';

function shapeText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/** Text-format string literal: quotes, backslashes and control characters escaped. */
function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

function list(dims: number[]): string {
  return dims.length ? `[ ${dims.join(', ')} ]` : '[ ]';
}

function block(kind: 'input' | 'output', items: (ModelInput | ModelOutput)[]): string {
  if (items.length === 0) return '';
  const body = items.map((io) => {
    const lines = [`    name: ${quote(io.name)}`, `    data_type: ${configTypeName(io.dataType)}`, `    dims: ${list(toNumbers(io.dims))}`];
    if (io.reshape) lines.push(`    reshape: { shape: ${list(toNumbers(io.reshape.shape))} }`);
    return `  {\n${lines.join('\n')}\n  }`;
  });
  return `${kind} [\n${body.join(',\n')}\n]\n`;
}

export function configText(c: ModelConfig): string {
  return [`max_batch_size: ${c.maxBatchSize}\n`, block('input', c.input), block('output', c.output)].filter(Boolean).join('');
}

/** Why the model cannot batch: the first input/output whose first dimension is not variable. */
function whyNoBatch(io: OnnxModelIO): string {
  if (io.inputs.length + io.outputs.length === 0) return 'the model has no inputs or outputs';
  for (const v of [...io.inputs, ...io.outputs]) {
    const s = ortShape(v);
    if (s.length === 0) return `'${v.name}' is a scalar`;
    if (s[0] !== -1) return `the first dimension of '${v.name}' is fixed at ${s[0]}`;
  }
  return '';
}

function modelType(v: OnnxValueInfo): string {
  const dt = dataTypeFromOnnx(v.elemType);
  return dt === DataType.TYPE_INVALID ? `ONNX ${onnxTypeName(v.elemType)}` : configTypeName(dt);
}

function dimsMismatch(side: 'input' | 'output', v: OnnxValueInfo, cfg: ModelInput | ModelOutput, mbs: number): ConfigMismatch | undefined {
  const model = ortShape(v);
  const dims = toNumbers(cfg.reshape ? cfg.reshape.shape : cfg.dims);
  const base = { side, name: cfg.name, kind: 'dims' as const, model: shapeText(model), config: `${shapeText(dims)}${mbs > 0 ? ` with max_batch_size ${mbs}` : ''}` };
  if (model.length === 0) {
    if (mbs === 0 && dims.every((d) => d === 1)) return undefined;
    if (mbs === 0) return { ...base, message: `'${cfg.name}' is a scalar in the model; with max_batch_size 0 its dims must be [ 1 ]` };
  }
  if (mbs > 0 && (model.length === 0 || model[0] !== -1)) {
    return {
      ...base,
      message: `max_batch_size ${mbs} puts a batch dimension in front of '${cfg.name}', but ${model.length === 0 ? 'the model takes a scalar' : `the model's first dimension is fixed at ${model[0]}`}: set max_batch_size: 0 and dims: ${shapeText(model.length ? model : [1])}, or export the model with a variable first dimension`,
    };
  }
  const full = mbs > 0 ? [-1, ...dims] : dims;
  const want = mbs > 0 ? model.slice(1) : model;
  // Triton lets a config fix an input dimension the model leaves open; outputs must match exactly.
  const same = full.length === model.length && full.every((d, i) => d === model[i] || (side === 'input' && model[i] === -1));
  if (same) return undefined;
  const counted = mbs > 0 ? ', counting the batch dimension that max_batch_size adds' : '';
  const what =
    full.length !== model.length
      ? `the model's '${cfg.name}' has ${model.length} dimensions ${shapeText(model)}, the config gives ${full.length} ${shapeText(full)}${counted}`
      : `the model's '${cfg.name}' has shape ${shapeText(model)}, the config ${shapeText(full)}${counted}`;
  return { ...base, message: `${what}: set dims: ${shapeText(want)}${cfg.reshape ? ' (and check its reshape)' : ''}` };
}

function compareSide(side: 'input' | 'output', model: OnnxValueInfo[], extra: OnnxValueInfo[], config: (ModelInput | ModelOutput)[], mbs: number, out: ConfigMismatch[]): void {
  const byName = new Map([...model, ...extra].map((v) => [v.name, v]));
  const declared = new Set(config.map((c) => c.name));
  for (const v of model) {
    if (declared.has(v.name)) continue;
    out.push({
      side,
      name: v.name,
      kind: 'missing-in-config',
      model: `${modelType(v)} ${shapeText(ortShape(v))}`,
      message: `the model has ${side} '${v.name}' (${modelType(v)} ${shapeText(ortShape(v))}) but the config does not declare it: add it to ${side} [ ... ]`,
    });
  }
  for (const c of config) {
    const v = byName.get(c.name);
    if (!v) {
      out.push({
        side,
        name: c.name,
        kind: 'missing-in-model',
        config: `${configTypeName(c.dataType)} ${shapeText(toNumbers(c.dims))}`,
        message: `the config declares ${side} '${c.name}', which the model does not have (its ${side}s: ${model.map((m) => m.name).join(', ') || 'none'}): rename or remove it`,
      });
      continue;
    }
    const want = dataTypeFromOnnx(v.elemType);
    if (want !== c.dataType) {
      out.push({
        side,
        name: c.name,
        kind: 'dtype',
        model: modelType(v),
        config: configTypeName(c.dataType),
        message:
          want === DataType.TYPE_INVALID
            ? `'${c.name}' is ${modelType(v)} in the model, which has no Triton data type`
            : `'${c.name}' is ${configTypeName(c.dataType)} in the config but ${configTypeName(want)} in the model: set data_type: ${configTypeName(want)}`,
      });
    }
    if (side === 'input' && (c as ModelInput).allowRaggedBatch) continue;
    const d = dimsMismatch(side, v, c, mbs);
    if (d) out.push(d);
  }
}

export interface ConfigFromModelOptions {
  model: string;
  /** The model's config as written (before the backend's auto-complete); none when it has none or it does not parse. */
  current?: ModelConfig;
  defaultMaxBatchSize: number;
}

export function configFromModel(io: OnnxModelIO, opts: ConfigFromModelOptions): ConfigFromModel {
  const other = [...io.inputs, ...io.outputs].find((v) => v.kind !== 'tensor');
  if (other) throw new LabError('UNSUPPORTED', `'${other.name}' is a ${other.kind}, not a tensor; Triton's ONNX Runtime backend serves tensor inputs and outputs only`);
  const current = opts.current;
  const currentMbs = current?.maxBatchSize ?? 0;
  const suggest = (mbs: number): { c: ModelConfig; refused: boolean } => {
    const c = create(ModelConfigSchema, { name: opts.model, maxBatchSize: mbs });
    const { issues } = autoCompleteOnnx(c, io, new Set(), opts.defaultMaxBatchSize);
    return { c, refused: issues.some((i) => i.severity === 'error') };
  };
  const first = suggest(currentMbs);
  let c = first.c;
  let note: string;
  if (first.refused) {
    c = suggest(0).c;
    note = `The config sets max_batch_size ${currentMbs}, but ${whyNoBatch(io) || 'the model does not batch'}, so the model cannot batch: max_batch_size 0, and dims are the model's full shapes.`;
  } else if (c.maxBatchSize === 0) {
    const why = whyNoBatch(io);
    note = why
      ? `${why[0]!.toUpperCase()}${why.slice(1)}, so the model cannot batch: max_batch_size 0, and dims are the model's full shapes.`
      : "The model could batch, but the default max batch size of this lab is 0: max_batch_size 0, and dims are the model's full shapes.";
  } else if (currentMbs > 0) {
    note = `The config already batches (max_batch_size ${currentMbs}), so dims leave out the first (batch) dimension of every input and output.`;
  } else {
    note = `Every input and output has a variable first dimension, so the model can batch: max_batch_size ${c.maxBatchSize} (what Triton fills in), and dims leave that dimension out.`;
    if (current && current.input.length + current.output.length > 0) {
      note += ' The config keeps max_batch_size 0 instead, which is right when the first dimension is not a batch (then dims include it).';
    }
  }
  const mismatches: ConfigMismatch[] = [];
  // A side the config leaves empty is filled from the model at load time, so it cannot disagree.
  if (current && current.input.length > 0) compareSide('input', io.inputs, io.overridableInitializers, current.input, currentMbs, mismatches);
  if (current && current.output.length > 0) compareSide('output', io.outputs, [], current.output, currentMbs, mismatches);
  return { text: configText(c), maxBatchSize: c.maxBatchSize, batchingNote: note, mismatches };
}
