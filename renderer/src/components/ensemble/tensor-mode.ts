/**
 * Which viewer tab suits a tensor flowing through an ensemble: the viewers'
 * own choice (viewers/choose-view.ts) when it is a picture or a map, so the
 * step-through and the Run tab open a tensor the same way; strings and
 * everything else keep the viewer's own default.
 */
import type { TensorInfo } from '@contract/lab-api';
import { chooseView } from '../../viewers/choose-view';

export function preferredTab(info: TensorInfo): 'image' | 'heatmap' | undefined {
  const first = chooseView(info).tabs[0];
  return first === 'image' || first === 'heatmap' ? first : undefined;
}
