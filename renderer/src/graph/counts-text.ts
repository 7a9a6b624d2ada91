/** The graph's node counts as the status bar and the Model sidebar say them (kept apart from format.ts, which the Node-side benchmark also loads). */
import { locale, t } from '../i18n';
import { formatCount } from '../viewers/tensor-utils';

/**
 * The node counts line of the status bar and the Model sidebar: "672 nodes in
 * the file · 330 drawn (342 Constant nodes folded into their consumers)", or
 * "330 nodes" when every node is drawn.
 */
export function countsText(c: { file: number; drawn: number; folded: number }): string {
  const n = (x: number): string => formatCount(x, locale.value);
  if (c.file === c.drawn) return t('graph.counts.all', { nodes: n(c.file) });
  return t(c.folded === 1 ? 'graph.counts.foldedOne' : 'graph.counts.folded', { nodes: n(c.file), drawn: n(c.drawn), folded: n(c.folded) });
}
