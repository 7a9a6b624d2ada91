/** Repository folders given on the command line (`npm start -- <folder>`), skipping Electron's own arguments. */
export function repositoriesFromArgv(argv: readonly string[], packaged: boolean): string[] {
  // Unpackaged: electron <app-dir> [args]; packaged: <app> [args].
  const args = argv.slice(packaged ? 1 : 2);
  return args.filter((a) => !a.startsWith('-') && a !== '.');
}
