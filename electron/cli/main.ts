/** The `model-lab` command: dispatch, usage, exit codes (0 ok, 1 problems found, 2 usage errors). */
import { parse, UsageError } from './args';
import { configCommand } from './config';
import { exportCommand } from './export';
import { inferCommand } from './infer';
import { inspectCommand } from './inspect';
import { PROFILE_USAGE, profileCommand } from './profile';
import { SERVE_USAGE, serveCommand } from './serve';
import type { Output } from './output';
import { portabilityCommand } from './portability';
import { validateCommand } from './validate';

export const USAGE = `Usage: model-lab <command> [options]

Commands:
  validate <repo> [--json] [--quiet]         load every model like Triton and print each model and
                                             version with its backend, state and reason
                                             (exit 0 when all are READY, 1 otherwise)
  config <repo> <model> [--pbtxt|--json]     print the completed config (text format, or the JSON
         [--version N]                       Triton serves at /v2/models/<model>/config)
  infer <repo> <model> --input name=VALUE …  run one request and print the outputs (strings decoded,
        [--output name] [--trace] [--json]   numbers summarized); VALUE is JSON (e.g. '[[1,2,3]]') or
        [--version N]                        @file (raw bytes for UINT8 [-1]/BYTES inputs, e.g. an
                                             image; .json files are parsed); --trace adds a timing
                                             table per ensemble step and BLS call
        [--sequence-id ID]                   sequence_batching models: send the requests of one
        [--sequence-start] [--sequence-end]  sequence (ID of digits: a uint64, else a string); an
                                             input given N times makes N requests in order, the
                                             first starting the sequence and the last ending it
                                             unless --sequence-start/--sequence-end are given
        [--request-parameter NAME:VALUE:TYPE] a request parameter (TYPE bool, int or string, as
                                             perf_analyzer spells it); the model's response
                                             parameters are printed with its outputs
  inspect <repo> <model> [--version N] [--json]
  inspect <file.onnx> [--json]               print the model's graph: every node with its inputs and
                                             outputs by role and its attributes, every value with its
                                             dtype and dims (numbers, or symbolic names); --json
                                             prints one JSON document (format model-lab.inspect/1)
  serve <repo> [tritonserver options]        serve the repository to Triton's clients: HTTP on 8000,
                                             gRPC on 8001, metrics on 8002, bound to 127.0.0.1
                                             (model-lab serve --help for every option)
  portability <repo> [--json]                for every model: runs on Triton as is, needs Python
              [--twins <repo>]               packages (read from its imports), or lab-only, with its
                                             Python twin (same name in <repo>_python or --twins);
                                             exit 1 when a model is lab-only
  export <repo> <out-dir> [--python-twins]   write a Triton deployment into a new or empty folder:
         [--twins <repo>] [--gpus N]         model_repository/ (lab-only models swapped for their
         [--image NAME] [--json]             Python twins with --python-twins), a Dockerfile FROM
                                             Triton's NGC image with the packages the models need,
                                             docker-compose.yml, kubernetes/ (GPUs per pod: N,
                                             default 1, 0 for CPU only) and a README
  profile <repo> -m <model> [options]        measure throughput and latency as perf_analyzer does
  profile -m <model> -u <url> [options]      (concurrency sweep, its report and -f CSV), in-process
                                             or against a server over HTTP (model-lab profile --help)

Options:
  --model-repository=<path>                  the repository, as tritonserver takes it
  --disable-auto-complete-config             do not complete configs from model files
  --backend-config=default-max-batch-size=N  batch size auto-complete gives batchable ONNX models (4)
  -h, --help                                 show this help
`;

const COMMANDS: Record<string, (flags: ReturnType<typeof parse>, out: Output) => Promise<number>> = {
  validate: validateCommand,
  config: configCommand,
  infer: inferCommand,
  inspect: inspectCommand,
  portability: portabilityCommand,
  export: exportCommand,
};

export async function runCli(argv: string[], out: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'serve') {
    try {
      return await serveCommand(rest, out);
    } catch (err) {
      if (err instanceof UsageError) {
        out.err(`model-lab serve: ${err.message}\n\n${SERVE_USAGE}`);
        return 2;
      }
      out.err(`model-lab serve: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
  }
  if (command === 'profile') {
    try {
      return await profileCommand(rest, out);
    } catch (err) {
      if (err instanceof UsageError) {
        out.err(`model-lab profile: ${err.message}\n\n${PROFILE_USAGE}`);
        return 2;
      }
      out.err(`model-lab profile: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
  }
  const run = COMMANDS[command];
  if (!run) {
    out.err(`model-lab: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  try {
    const flags = parse(rest);
    if (flags.values.help) {
      out.log(USAGE);
      return 0;
    }
    return await run(flags, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.err(`model-lab ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    out.err(`model-lab ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
