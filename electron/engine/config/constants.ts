/** Platform, backend and file names Triton recognizes (core src/constants.h), plus the lab's own. */
export const PLATFORM = {
  tensorflowGraphdef: 'tensorflow_graphdef',
  tensorflowSavedmodel: 'tensorflow_savedmodel',
  tensorrtPlan: 'tensorrt_plan',
  onnxruntimeOnnx: 'onnxruntime_onnx',
  pytorchLibtorch: 'pytorch_libtorch',
  pytorchLibtorchAlt: 'libtorch',
  torchAoti: 'torch_aoti',
  ensemble: 'ensemble',
} as const;

export const BACKEND = {
  tensorflow: 'tensorflow',
  tensorrt: 'tensorrt',
  onnxruntime: 'onnxruntime',
  openvino: 'openvino',
  pytorch: 'pytorch',
  python: 'python',
  /** Model Lab's JavaScript/TypeScript backend (model.js, model.mjs, model.ts). */
  script: 'script',
  /** Triton's test backend: each output copies the same-indexed input. */
  identity: 'identity',
} as const;

export const FILENAME = {
  tensorflowGraphdef: 'model.graphdef',
  tensorflowSavedmodel: 'model.savedmodel',
  tensorrtPlan: 'model.plan',
  onnx: 'model.onnx',
  openvino: 'model.xml',
  pytorch: 'model.pt',
  torchAoti: 'model.pt2',
  python: 'model.py',
} as const;

/** Script model files, in the order the lab looks for them. */
export const SCRIPT_FILENAMES = ['model.js', 'model.mjs', 'model.ts'] as const;

export const CONFIG_FILENAME = 'config.pbtxt';

/** Folders inside a model directory that are never versions. */
export const NON_VERSION_DIRS = new Set(['warmup', 'initial_state', 'configs']);

/** Triton's backend default for auto-completed batching (--backend-config=default-max-batch-size). */
export const DEFAULT_MAX_BATCH_SIZE = 4;
