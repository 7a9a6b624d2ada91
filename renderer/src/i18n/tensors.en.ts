/** English messages of the tensors area (issue 14). */
export const tensorsEn = {};
