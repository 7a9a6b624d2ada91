/** `model-lab validate <repo>`: every model and version with its state and reason, as Triton would load them. */
import path from 'node:path';
import type { Diagnostic, ModelSummary } from '../contract/lab-api';
import { Repository } from '../engine/repository/repository';
import { diagnosticsOf, toModelSummary } from '../engine/repository/views';
import { type CommonFlags, loadOptions, repositoryArg, UsageError } from './args';
import type { Output } from './output';

interface Row {
  name: string;
  version: string;
  backend: string;
  platform: string;
  state: string;
  reason: string;
}

function rowsOf(m: ModelSummary): Row[] {
  const base = { name: m.name, backend: m.backend, platform: m.platform };
  const served = m.versions.filter((v) => v.served);
  if (served.length === 0 || (m.state === 'UNAVAILABLE' && m.versions.every((v) => !v.served || v.reason === ''))) {
    return [{ ...base, version: '-', state: m.state, reason: m.reason }];
  }
  return served.map((v) => ({ ...base, version: String(v.version), state: v.state, reason: v.reason }));
}

function backendLabel(r: Row): string {
  if (r.platform && r.backend) return `${r.backend} (${r.platform})`;
  return r.backend || r.platform || '-';
}

export function formatTable(rows: Row[]): string[] {
  const cols = [
    { head: 'MODEL', get: (r: Row) => r.name },
    { head: 'VERSION', get: (r: Row) => r.version },
    { head: 'BACKEND', get: backendLabel },
    { head: 'STATE', get: (r: Row) => r.state },
  ];
  const widths = cols.map((c) => Math.max(c.head.length, ...rows.map((r) => c.get(r).length)));
  const line = (cells: string[], reason: string): string => [...cells.map((c, i) => c.padEnd(widths[i]!)), reason].join('  ').trimEnd();
  return [
    line(
      cols.map((c) => c.head),
      'REASON',
    ),
    ...rows.map((r) =>
      line(
        cols.map((c) => c.get(r)),
        r.reason,
      ),
    ),
  ];
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const fix = d.fix ? `\n    fix: ${d.fix.split('\n').join('\n    ')}` : '';
  return `${where}${d.severity}: ${d.message}${fix}`;
}

export async function validateCommand(flags: CommonFlags, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const repo = new Repository(path.resolve(dir), loadOptions(flags.values));
  await repo.loadAll();
  try {
    return await report();
  } finally {
    await repo.close();
  }

  async function report(): Promise<number> {
    if (repo.problem) {
      out.err(`error: ${repo.root}: ${repo.problem}`);
      return 1;
    }
    const models = [...repo.models.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const summaries = models.map((m) => toModelSummary(m, repo.root));
    const rows = summaries.flatMap(rowsOf);
    if (flags.values.json) {
      models.forEach((m, i) => {
        const diagnostics = diagnosticsOf(m, repo.root);
        for (const r of rowsOf(summaries[i]!)) out.log(JSON.stringify({ ...r, version: r.version === '-' ? null : Number(r.version), diagnostics }));
      });
    } else {
      if (rows.length === 0) out.log(`no models in ${repo.root}`);
      else for (const l of formatTable(rows)) out.log(l);
      if (!flags.values.quiet) {
        for (const m of models) {
          for (const d of diagnosticsOf(m, repo.root)) if (d.severity !== 'info') out.err(formatDiagnostic(d));
        }
      }
    }
    return rows.length > 0 && rows.every((r) => r.state === 'READY') ? 0 : 1;
  }
}
