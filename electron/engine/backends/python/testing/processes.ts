/** Counting this process's Python stubs and checking processes in /proc (Linux), for tests that no process outlives its model. */
import { readdirSync, readFileSync } from 'node:fs';

/** Whether `pid` runs (a zombie, which has ended, does not). */
export function alive(pid: number): boolean {
  try {
    // The state follows the command name in parentheses; Z is a process that has ended.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The Python stubs this process started and that still run. */
export function stubs(): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const text = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
    for (const pid of text ? text.split(/\s+/).map(Number) : []) {
      if (alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('model_lab_stub')) out.push(pid);
    }
  }
  return out;
}

/** Waits (up to `ms`) for `cond`; returns whether it holds. */
export async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

/** A model.py whose initialize() starts `sleep 1000` and writes its pid next to the model; `finalize` is its finalize() body. */
export const spawningModel = (finalize = 'pass'): string => `import os, subprocess
class TritonPythonModel:
    def initialize(self, args):
        p = subprocess.Popen(["sleep", "1000"])
        open(os.path.join(args["model_repository"], "child.pid"), "w").write(str(p.pid))
    def execute(self, requests):
        return []
    def finalize(self):
        ${finalize}
`;
