/** English messages of the ensemble area (merged into `en`). */
export const ensembleEn = {
  'model.tab.ensemble': 'Step through',
};
