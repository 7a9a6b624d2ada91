/** English messages of the shell area (merged into `en`). */
export const shellEn = {
} as const;

export type ShellKey = keyof typeof shellEn;
