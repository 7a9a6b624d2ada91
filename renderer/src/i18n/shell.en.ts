/** English messages of the shell area (merged into `en`). */
export const shellEn = {
  'drop.typePath': 'A browser cannot tell where a dropped folder is on disk. Type its path in the box above, or use the desktop app.',
  'drop.noPath': 'What was dropped is not a folder on disk. Drop a model repository folder.',
} as const;

export type ShellKey = keyof typeof shellEn;
