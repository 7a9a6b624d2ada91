/** English messages of the graph area (merged into `en`). */
export const graphEn = {
  'model.tab.graph': 'Graph',
};
