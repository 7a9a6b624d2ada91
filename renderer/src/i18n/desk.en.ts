/** English messages of the desk area (issue 14). */
export const deskEn = {};
