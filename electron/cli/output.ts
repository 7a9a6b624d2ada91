/** Where the CLI writes; tests pass a collector instead of the process streams. */
export interface Output {
  log(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  log: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * `model-lab validate repo | head` closes the pipe before the CLI is done:
 * the next write fails with EPIPE. Unix tools stop there quietly, so the CLI
 * exits with status 0 and no stack trace; other stream errors stay errors.
 */
export function exitQuietlyOnBrokenPipe(stream: NodeJS.WritableStream = process.stdout, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    exit(0);
  });
}
