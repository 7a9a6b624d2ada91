/**
 * Facts about the Triton release a deployment export targets, stated once:
 * every generated file (Dockerfile, compose, Kubernetes, README) and the
 * portability report read them from here. Checked against Triton's server
 * repository at tag v2.71.0: `build.py` (DEFAULT_TRITON_VERSION_MAP:
 * release_version 2.71.0, triton_container_version 26.07; `enable_all`'s
 * backends; the runtime image's apt and pip installs) and
 * `docs/customization_guide/compose.md` (`nvcr.io/nvidia/tritonserver:26.07-py3`).
 */

/** The Triton release the lab targets, and the NGC container release that carries it. */
export const TRITON_RELEASE = '2.71.0';
export const TRITON_CONTAINER_RELEASE = '26.07';

/** NGC's tag scheme: `nvcr.io/nvidia/tritonserver:<yy.mm>-py3` is the full server image. */
export const TRITON_IMAGE_REPOSITORY = 'nvcr.io/nvidia/tritonserver';

export function tritonImage(release: string = TRITON_CONTAINER_RELEASE): string {
  return `${TRITON_IMAGE_REPOSITORY}:${release}-py3`;
}

/** tritonserver's default ports. */
export const PORTS = { http: 8000, grpc: 8001, metrics: 8002 } as const;

/** The KServe v2 health endpoints Triton serves over HTTP. */
export const HEALTH = { ready: '/v2/health/ready', live: '/v2/health/live' } as const;

/** Where Triton serves Prometheus metrics (on the metrics port). */
export const METRICS_PATH = '/metrics';

/** Where the export puts the repository inside the image (the path `--model-repository` names). */
export const IMAGE_MODEL_REPOSITORY = '/models';

/**
 * Backends the full `-py3` image has under /opt/tritonserver/backends (build.py `enable_all`,
 * plus the core's ensemble). TensorFlow left the build after 25.03.
 */
export const IMAGE_BACKENDS: readonly string[] = ['ensemble', 'identity', 'square', 'repeat', 'onnxruntime', 'python', 'dali', 'pytorch', 'openvino', 'fil', 'tensorrt'];

/** The image's Python: Ubuntu 24.04's (build.py's base for 26.07), with numpy pinned below 2 for the Python backend. */
export const IMAGE_PYTHON = '3.12';
export const IMAGE_NUMPY_PIN = 'numpy<2';

/** Tools the runtime image installs with apt (build.py dockerfile_prepare_container_linux): curl runs the health checks. */
export const IMAGE_HTTP_TOOL = 'curl';
