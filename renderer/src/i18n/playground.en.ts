/** English messages of the playground area (merged into `en`). */
export const playgroundEn = {
} as const;

export type PlaygroundKey = keyof typeof playgroundEn;
