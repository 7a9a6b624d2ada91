/** English messages of the viewers area (merged into `en`). */
export const viewersEn = {
} as const;

export type ViewersKey = keyof typeof viewersEn;
