/** English messages of the runs area (issue 14). */
export const runsEn = {};
