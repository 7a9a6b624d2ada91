/**
 * The export's README: what is in the folder, which models were swapped for
 * their Python twins or are left lab-only, and the commands to build, run,
 * deploy and check it. Names that come from folders are shown in code spans
 * with backticks removed, so a model name cannot break the Markdown.
 */
import type { PortabilityReport } from '../../contract/deploy-api';
import { HEALTH, IMAGE_MODEL_REPOSITORY, PORTS, TRITON_CONTAINER_RELEASE, TRITON_RELEASE, tritonImage } from './facts';
import type { DeploySpec } from './manifests';

export interface ReadmeInput {
  source: string;
  spec: DeploySpec;
  report: PortabilityReport;
  swapped: { model: string; from: string }[];
  optionalPackages: string[];
  skipped: string[];
}

const code = (s: string): string => `\`${s.replace(/[`\r\n]/g, '')}\``;
/** In a table cell a '|' ends the cell, even inside a code span (GitHub's tables): escaped. */
const cell = (s: string): string => code(s).replace(/\|/g, '\\|');

function modelTable(r: ReadmeInput): string[] {
  const swapped = new Map(r.swapped.map((s) => [s.model, s.from]));
  const rows = r.report.models.map((m) => {
    const note = swapped.has(m.model) ? `Python twin from ${cell(swapped.get(m.model)!)}` : m.packages.length > 0 ? `needs ${m.packages.map(cell).join(', ')}` : '';
    return `| ${cell(m.model)} | ${cell(m.backend)} | ${m.verdict} | ${note} |`;
  });
  return ['| model | backend | on Triton | note |', '|---|---|---|---|', ...rows];
}

function warnings(r: ReadmeInput): string[] {
  const out: string[] = [];
  const gpuless = r.report.models.filter((m) => m.reasons.some((x) => x.includes('(--gpus 0)')));
  if (gpuless.length > 0)
    out.push(
      `**GPU:** ${gpuless.map((m) => code(m.model)).join(', ')} ask${gpuless.length > 1 ? '' : 's'} for a GPU, but this export asks for none (\`--gpus 0\`): give the pod a GPU or change their \`instance_group\` to \`KIND_CPU\`.`,
      '',
    );
  const labOnly = r.report.models.filter((m) => m.verdict === 'lab-only');
  if (labOnly.length > 0) {
    out.push('## Will not load on Triton', '');
    for (const m of labOnly) out.push(`- ${code(m.model)}: ${m.reasons.join('; ').replace(/[\r\n]+/g, ' ')}`);
    out.push('', 'Triton starts without them (and without the ensembles that use them) and reports them as UNAVAILABLE in `/v2/repository/index`.', '');
  }
  if (r.optionalPackages.length > 0)
    out.push(`Optional packages the models use when present (not installed): ${r.optionalPackages.map(code).join(', ')}. Add them to \`requirements.txt\` to use them.`, '');
  if (r.skipped.length > 0) out.push('Not copied:', '', ...r.skipped.map((s) => `- ${s.replace(/[\r\n`]+/g, ' ')}`), '');
  return out;
}

function commands(r: ReadmeInput): string[] {
  const { image, name, gpus } = r.spec;
  const gpuFlag = gpus > 0 ? '--gpus=all ' : '';
  return [
    '## Build and run',
    '',
    '```sh',
    `docker build -t ${image} .`,
    `docker run --rm ${gpuFlag}--shm-size=1g -p${PORTS.http}:${PORTS.http} -p${PORTS.grpc}:${PORTS.grpc} -p${PORTS.metrics}:${PORTS.metrics} ${image}`,
    '```',
    '',
    'or with Compose (builds the image, waits for readiness in its health check):',
    '',
    '```sh',
    'docker compose up --build',
    '```',
    '',
    '## Check it',
    '',
    '```sh',
    `curl -fsS localhost:${PORTS.http}${HEALTH.ready} && echo ready`,
    `curl -s localhost:${PORTS.http}/v2/repository/index -X POST`,
    `curl -s localhost:${PORTS.metrics}/metrics | head`,
    '```',
    '',
    "Any Triton client works against it (for example `tritonclient.http.InferenceServerClient('localhost:8000')`).",
    '',
    '## Deploy to Kubernetes',
    '',
    `The cluster pulls ${code(image)}: push it to a registry the cluster can reach (name the image at export time with \`--image <registry>/<name>:<tag>\`, or retag it), then:`,
    '',
    '```sh',
    `docker push ${image}`,
    'kubectl apply -f kubernetes/',
    `kubectl rollout status deployment/${name}`,
    `kubectl port-forward service/${name} ${PORTS.http}:${PORTS.http} ${PORTS.grpc}:${PORTS.grpc} ${PORTS.metrics}:${PORTS.metrics}`,
    '```',
    '',
    `The Deployment's probes use Triton's ${code(HEALTH.ready)} (startup and readiness) and ${code(HEALTH.live)} (liveness); the pod and the Service carry \`prometheus.io/scrape\`, \`prometheus.io/port: "${PORTS.metrics}"\` and \`prometheus.io/path: "/metrics"\` for Prometheus. ${gpus > 0 ? `Each pod asks for ${gpus} \`nvidia.com/gpu\` (the cluster needs NVIDIA's device plugin).` : 'The pod asks for no GPU (exported with --gpus 0).'}`,
    '',
  ];
}

export function readme(r: ReadmeInput): string {
  return [
    `# ${r.spec.name}: Triton deployment`,
    '',
    `Exported by Model Lab from ${code(r.source)} for Triton Inference Server ${TRITON_RELEASE} (NGC release ${TRITON_CONTAINER_RELEASE}, image ${code(tritonImage())}).`,
    '',
    `- \`model_repository/\`: the models, copied into the image at ${code(IMAGE_MODEL_REPOSITORY)}`,
    `- \`Dockerfile\`: ${code(tritonImage())}${r.spec.packages.length > 0 ? ` plus ${r.spec.packages.map(code).join(', ')} (\`requirements.txt\`)` : ''}`,
    '- `docker-compose.yml`: one service with ports 8000 (HTTP), 8001 (gRPC) and 8002 (metrics) and a readiness health check',
    '- `kubernetes/`: a Deployment and a Service',
    '',
    '## Models',
    '',
    ...modelTable(r),
    '',
    ...warnings(r),
    ...commands(r),
  ].join('\n');
}
