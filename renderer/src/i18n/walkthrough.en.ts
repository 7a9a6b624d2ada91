/** English messages of the walkthrough area (merged into `en`). */
export const walkthroughEn = {
  'walkthrough.title': 'Walkthroughs',
};
