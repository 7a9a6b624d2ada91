/** English messages of the workspace area (issue 14). */
export const workspaceEn = {};
