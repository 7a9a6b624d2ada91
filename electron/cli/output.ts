/** Where the CLI writes; tests pass a collector instead of the process streams. */
export interface Output {
  log(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  log: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
