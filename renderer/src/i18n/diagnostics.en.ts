/** English messages of the diagnostics area (issue 14). */
export const diagnosticsEn = {};
