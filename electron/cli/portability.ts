/**
 * `model-lab portability <repo>`: for every model, whether Triton's server
 * image runs it as it is, needs Python packages (read from its imports), or
 * cannot load it (lab-only), with its Python twin when one exists. Nothing
 * is run: configs are read and Python sources scanned. Exit 0 when every
 * model runs on Triton (as is or with packages), 1 when one is lab-only.
 */
import path from 'node:path';
import type { ModelPortability, PortabilityReport } from '../contract/deploy-api';
import { portabilityReport } from '../engine/deploy/export';
import { withConfigsOnly } from './repo-model';
import { type CommonFlags, repositoryArg, UsageError } from './args';
import type { Output } from './output';

function twinText(m: ModelPortability): string {
  return m.twin ? `${m.twin.repositoryName}/${m.twin.model}` : '-';
}

export function formatReport(r: PortabilityReport): string[] {
  const cols = [
    { head: 'MODEL', get: (m: ModelPortability) => m.model },
    { head: 'BACKEND', get: (m: ModelPortability) => m.backend },
    { head: 'VERDICT', get: (m: ModelPortability) => m.verdict },
    { head: 'PACKAGES', get: (m: ModelPortability) => [...m.packages, ...m.optionalPackages.map((p) => `(${p})`)].join(', ') || '-' },
  ];
  const widths = cols.map((c) => Math.max(c.head.length, ...r.models.map((m) => c.get(m).length)));
  const row = (cells: string[], last: string): string => [...cells.map((c, i) => c.padEnd(widths[i]!)), last].join('  ').trimEnd();
  const out = [
    `Triton image: ${r.tritonImage}${r.twinsRepository ? `; Python twins looked for in ${r.twinsRepository}` : ''}`,
    '',
    row(
      cols.map((c) => c.head),
      'TWIN',
    ),
    ...r.models.map((m) =>
      row(
        cols.map((c) => c.get(m)),
        twinText(m),
      ),
    ),
    '',
  ];
  for (const m of r.models) {
    out.push(`${m.model}:`);
    for (const reason of m.reasons) out.push(`  - ${reason}`);
  }
  return out;
}

export async function portabilityCommand(flags: CommonFlags, out: Output): Promise<number> {
  const { repo: dir, rest } = repositoryArg(flags);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const twins = typeof flags.values.twins === 'string' ? path.resolve(flags.values.twins) : undefined;
  return withConfigsOnly(dir, out, async (repo) => {
    const report = await portabilityReport(repo, twins);
    if (flags.values.json) out.log(JSON.stringify(report, null, 2));
    else if (report.models.length === 0) out.log(`no models in ${repo.root}`);
    else for (const l of formatReport(report)) out.log(l);
    return report.models.some((m) => m.verdict === 'lab-only') ? 1 : 0;
  });
}
