/** The benchmarks' child processes: started and awaited until they say they are up, measured from /proc, stopped at the end. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Lines of output kept per child (a long run keeps its last ones). */
const KEEP_LINES = 500;
const started: ChildProcess[] = [];

/** Starts a child and waits for the line `pattern` matches; `lines` keeps its latest output (stdout and stderr). */
export function startChild(cmd: string, args: string[], pattern: RegExp, timeoutMs = 180_000): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  const keep = (text: string): void => {
    lines.push(...text.split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEEP_LINES));
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')} did not start:\n${lines.join('\n')}`)), timeoutMs);
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.lastIndexOf('\n');
      if (nl < 0) return;
      keep(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (lines.some((l) => pattern.test(l))) {
        clearTimeout(timer);
        resolve({ child, lines });
      }
    });
    child.stderr!.on('data', (d: Buffer) => keep(d.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}:\n${lines.join('\n')}`)));
  });
}

/** Stops every child still running. */
export function stopChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const c of started) if (c.exitCode === null) c.kill(signal);
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}
