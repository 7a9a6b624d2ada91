/**
 * The config.pbtxt of a TorchScript model converted to ONNX: the same tensor
 * names, types and dims, the same batching (max_batch_size, dynamic_batching;
 * a sequence batcher is not carried over: a converted model is stateless here)
 * and label files, so a client of the PyTorch model works unchanged against
 * it; only the platform changes (Triton's ONNX Runtime backend), and it runs
 * on one CPU instance as converted models are compared on the CPU.
 */
import { clone, create } from '@bufbuild/protobuf';
import { ModelConfigSchema, ModelDynamicBatchingSchema, ModelInputSchema, ModelInstanceGroup_Kind, ModelInstanceGroupSchema, ModelOutputSchema, type ModelConfig } from '../config/gen/model_config_pb';
import { PLATFORM } from '../config/constants';
import { configToText } from '../config/serialize';

function onnxConfigFor(source: ModelConfig, name: string): ModelConfig {
  return create(ModelConfigSchema, {
    name,
    platform: PLATFORM.onnxruntimeOnnx,
    maxBatchSize: source.maxBatchSize,
    input: source.input.map((i) => create(ModelInputSchema, { name: i.name, dataType: i.dataType, dims: [...i.dims], optional: i.optional })),
    output: source.output.map((o) => create(ModelOutputSchema, { name: o.name, dataType: o.dataType, dims: [...o.dims], labelFilename: o.labelFilename })),
    instanceGroup: [create(ModelInstanceGroupSchema, { kind: ModelInstanceGroup_Kind.CPU, count: 1 })],
    ...(source.schedulingChoice.case === 'dynamicBatching' ? { schedulingChoice: { case: 'dynamicBatching' as const, value: clone(ModelDynamicBatchingSchema, source.schedulingChoice.value) } } : {}),
  });
}

export function onnxConfigText(source: ModelConfig, name: string, from: string): string {
  const header = `# ${name}: ${from} exported to ONNX by Model Lab (torch.onnx.export), with the same tensor names.\n`;
  return header + configToText(onnxConfigFor(source, name));
}
