/** Types of scripts/release/find-app.mjs, for its test and the smoke runner. */
export interface PackageNames {
  name: string;
  productName?: string;
  executableName?: string;
}
export function packedApp(releaseDir: string, platform: string, arch: string, names: PackageNames): { dir: string; executable: string };
export function packageNames(pkgFile?: string): PackageNames;
