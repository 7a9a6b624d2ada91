/**
 * The generated deployment files other than the README: the Dockerfile
 * (Triton's NGC server image with the models' Python packages), the
 * docker-compose.yml and the Kubernetes Deployment and Service. Every value
 * that reaches them is checked first (names, image references, package
 * names) and every YAML string is written double-quoted (`yaml`'s stringify),
 * so a hostile folder or model name cannot add a line to any of them.
 */
import { HEALTH, IMAGE_HTTP_TOOL, IMAGE_MODEL_REPOSITORY, IMAGE_NUMPY_PIN, METRICS_PATH, PORTS, tritonImage } from './facts';

type YamlMap = Record<string, unknown>;

/**
 * One YAML document: strings double-quoted, whatever they hold (a colon, a '#', a newline, "yes"),
 * keys plain unless a YAML 1.1 reader (kubectl's) would take them for something else ("on", "no").
 * `yaml` is loaded on the first export, not when the lab or the CLI starts.
 */
async function toYaml(doc: YamlMap): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(doc, { version: '1.1', defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0, aliasDuplicateObjects: false });
}

export interface DeploySpec {
  /** A DNS-1035 label (`serviceName`): the Deployment, Service and compose service name. */
  name: string;
  /** The image the manifests run (built from the Dockerfile). */
  image: string;
  gpus: number;
  /** pip requirements installed into the image. */
  packages: string[];
}

/** Shared memory for the Python backend's stubs (Docker's default 64 MiB is small for tensors in flight). */
export const SHM_SIZE = '1Gi';

/** A repository folder name as a DNS-1123 label (lowercase, digits and '-', at most 63), 'triton' when nothing is left. */
export function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s || 'triton';
}

/**
 * A Kubernetes Service name is an RFC 1035 label: it starts with a letter, so a folder named
 * `2024_models` gives `triton-2024-models` (kubectl refuses a Service named `2024-models`).
 */
export function serviceName(label: string): string {
  return /^[a-z]/.test(label) ? label : `triton-${label}`.slice(0, 63).replace(/-+$/, '');
}

const IMAGE_REF =
  /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An image reference as Docker reads it ([registry[:port]/]path[:tag][@sha256:digest]). */
export function isImageReference(s: string): boolean {
  return s.length <= 255 && IMAGE_REF.test(s);
}

const PIP_REQUIREMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+(?:,[A-Za-z0-9._-]+)*\])?$/;

/** A pip requirement the export may write: a package name (with extras), nothing else. */
export function isPipRequirement(s: string): boolean {
  return s.length <= 100 && PIP_REQUIREMENT.test(s);
}

export function dockerfile(spec: DeploySpec): string {
  const healthUrl = `http://localhost:${PORTS.http}${HEALTH.ready}`;
  const pip =
    spec.packages.length > 0
      ? [
          '# The Python packages the models import that the image lacks (requirements.txt, from',
          "# Model Lab's portability report); numpy stays below 2 as the image's Python backend has it.",
          'COPY requirements.txt /opt/model-lab/requirements.txt',
          `RUN pip3 install --no-cache-dir "${IMAGE_NUMPY_PIN}" -r /opt/model-lab/requirements.txt`,
          '',
        ]
      : [];
  return [
    `# Triton Inference Server with this repository in ${IMAGE_MODEL_REPOSITORY} (written by Model Lab's export).`,
    `FROM ${tritonImage()}`,
    '',
    ...pip,
    `COPY model_repository ${IMAGE_MODEL_REPOSITORY}`,
    '',
    `EXPOSE ${PORTS.http} ${PORTS.grpc} ${PORTS.metrics}`,
    `HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ${IMAGE_HTTP_TOOL} -fsS ${healthUrl} || exit 1`,
    `CMD ["tritonserver", "--model-repository=${IMAGE_MODEL_REPOSITORY}"]`,
    '',
  ].join('\n');
}

export function composeFile(spec: DeploySpec): Promise<string> {
  const gpu = spec.gpus > 0 ? { deploy: { resources: { reservations: { devices: [{ driver: 'nvidia', count: spec.gpus, capabilities: ['gpu'] }] } } } } : {};
  const doc: YamlMap = {
    services: {
      [spec.name]: {
        build: { context: '.' },
        image: spec.image,
        command: ['tritonserver', `--model-repository=${IMAGE_MODEL_REPOSITORY}`],
        ports: [PORTS.http, PORTS.grpc, PORTS.metrics].map((p) => `${p}:${p}`),
        shm_size: '1gb',
        healthcheck: {
          test: ['CMD', IMAGE_HTTP_TOOL, '-fsS', `http://localhost:${PORTS.http}${HEALTH.ready}`],
          interval: '10s',
          timeout: '5s',
          retries: 3,
          start_period: '120s',
        },
        ...gpu,
      },
    },
  };
  return toYaml(doc);
}

export function scrapeAnnotations(): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORTS.metrics), 'prometheus.io/path': METRICS_PATH };
}

function probe(pathName: string, period: number, failures: number): YamlMap {
  return { httpGet: { path: pathName, port: 'http' }, periodSeconds: period, timeoutSeconds: 5, failureThreshold: failures };
}

/** The Deployment: Triton's container with its ports, health probes, GPU limit and shared memory. */
export function deploymentObject(spec: DeploySpec): YamlMap {
  const labels = { 'app.kubernetes.io/name': spec.name, 'app.kubernetes.io/component': 'triton-inference-server' };
  const container: YamlMap = {
    name: 'triton',
    image: spec.image,
    args: ['tritonserver', `--model-repository=${IMAGE_MODEL_REPOSITORY}`],
    ports: [
      { name: 'http', containerPort: PORTS.http, protocol: 'TCP' },
      { name: 'grpc', containerPort: PORTS.grpc, protocol: 'TCP' },
      { name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' },
    ],
    // Models load before the endpoints answer: the startup probe gives them ten minutes.
    startupProbe: probe(HEALTH.ready, 10, 60),
    readinessProbe: probe(HEALTH.ready, 5, 3),
    livenessProbe: probe(HEALTH.live, 10, 6),
    volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
    ...(spec.gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': spec.gpus } } } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': spec.name } },
      template: {
        metadata: { labels, annotations: scrapeAnnotations() },
        spec: { containers: [container], volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: SHM_SIZE } }] },
      },
    },
  };
}

/** The Service: HTTP, gRPC and metrics by name, with the scrape annotations for Prometheus' service discovery. */
export function serviceObject(spec: DeploySpec): YamlMap {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, labels: { 'app.kubernetes.io/name': spec.name }, annotations: scrapeAnnotations() },
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': spec.name },
      ports: [
        { name: 'http', port: PORTS.http, targetPort: 'http', protocol: 'TCP' },
        { name: 'grpc', port: PORTS.grpc, targetPort: 'grpc', protocol: 'TCP' },
        { name: 'metrics', port: PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  };
}

export async function kubernetesFiles(spec: DeploySpec): Promise<{ deployment: string; service: string }> {
  return { deployment: await toYaml(deploymentObject(spec)), service: await toYaml(serviceObject(spec)) };
}
