/**
 * Version folders and version policy as Triton's VersionsToLoad applies them:
 * names are read like std::stoll (leading digits count, "3abc" is 3), names
 * with a leading zero are skipped, and the policy picks from what is left.
 */
import type { ModelVersionPolicy } from '../config/gen/model_config_pb';
import { NON_VERSION_DIRS } from '../config/constants';
import { type ConfigIssue, issue, warning } from '../config/issues';

export interface VersionDir {
  version: number;
  name: string;
}

export interface VersionScan {
  versions: VersionDir[];
  /** Folders that look like versions but are not, with Triton's warning. */
  skipped: ConfigIssue[];
}

/** std::stoll on a folder name: optional space and sign, then digits; undefined when none. */
export function parseVersionName(name: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function scanVersionDirs(subdirs: readonly string[]): VersionScan {
  const byNumber = new Map<number, VersionDir>();
  const skipped: ConfigIssue[] = [];
  for (const name of [...subdirs].sort()) {
    if (NON_VERSION_DIRS.has(name)) continue;
    if (name.length > 1 && name.startsWith('0')) {
      skipped.push(warning('version.leading-zero', `ignore version directory '${name}' which contains leading zeros in its directory name`));
      continue;
    }
    const version = parseVersionName(name);
    if (version === undefined) {
      skipped.push(warning('version.not-numeric', `ignore version directory '${name}' which fails to convert to integral number`));
      continue;
    }
    if (!byNumber.has(version)) byNumber.set(version, { version, name });
  }
  return { versions: [...byNumber.values()].sort((a, b) => a.version - b.version), skipped };
}

export interface PolicyResult {
  served: VersionDir[];
  issues: ConfigIssue[];
  /** Human description, e.g. "latest 1". */
  description: string;
}

export function describePolicy(policy: ModelVersionPolicy | undefined): string {
  const choice = policy?.policyChoice;
  switch (choice?.case) {
    case 'all':
      return 'all';
    case 'specific':
      return `specific [${choice.value.versions.join(', ')}]`;
    case 'latest':
      return `latest ${choice.value.numVersions}`;
    default:
      return 'latest 1';
  }
}

export function applyVersionPolicy(model: string, policy: ModelVersionPolicy | undefined, available: readonly VersionDir[]): PolicyResult {
  const issues: ConfigIssue[] = [];
  let served: VersionDir[];
  const choice = policy?.policyChoice;
  if (choice?.case === 'specific') {
    served = [];
    choice.value.versions.forEach((v, i) => {
      const dir = available.find((d) => BigInt(d.version) === v);
      if (dir) served.push(dir);
      else {
        issues.push(warning('version.specific-missing', `version ${v} is specified for model '${model}', but the version directory is not present`, ['version_policy', 'specific', 'versions', i]));
      }
    });
  } else if (choice?.case === 'all') {
    served = [...available];
  } else {
    const n = choice?.case === 'latest' ? choice.value.numVersions : 1;
    served = n > 0 ? available.slice(-n) : [];
  }
  if (served.length === 0) {
    issues.push(issue('version.none', `at least one version must be available under the version policy of model '${model}'`, ['version_policy']));
  }
  return { served: [...new Set(served)].sort((a, b) => a.version - b.version), issues, description: describePolicy(policy) };
}
