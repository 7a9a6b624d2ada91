import { runCli } from './main';
import { exitQuietlyOnBrokenPipe, processOutput } from './output';

exitQuietlyOnBrokenPipe();
runCli(process.argv.slice(2), processOutput).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`model-lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
