/**
 * How deep If/Loop/Scan bodies nest, measured on the wire. A crafted model can
 * nest bodies thousands deep; the protobuf decoder stops at its recursion limit
 * with a message nobody can act on, and the summary builder walks bodies
 * recursively (bounded by MAX_BODY_DEPTH). This walk keeps its own stack, so any
 * depth is measured without recursion; the parsers run it when decoding fails
 * (it costs about 15 ms on a 5 MB model, too much to pay on every open).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { LabError } from '../errors';

/**
 * Bodies may nest this deep (a body inside a body inside the main graph is
 * depth 2). Real exports nest a handful of levels; protobuf-es decodes at most
 * 100 nested messages and each level takes three (graph, node, attribute).
 */
export const MAX_BODY_DEPTH = 24;

type Kind = 'model' | 'graph' | 'node' | 'attribute';

/** Which fields lead towards nested graphs: ModelProto.graph, GraphProto.node, NodeProto.attribute, AttributeProto.g and .graphs. */
function inner(kind: Kind, field: number): Kind | undefined {
  if (kind === 'model') return field === 7 ? 'graph' : undefined;
  if (kind === 'graph') return field === 1 ? 'node' : undefined;
  if (kind === 'node') return field === 5 ? 'attribute' : undefined;
  return field === 6 || field === 11 ? 'graph' : undefined;
}

export function tooDeep(): LabError {
  return new LabError(
    'UNSUPPORTED',
    `the model nests subgraphs (If/Loop/Scan bodies) more than ${MAX_BODY_DEPTH} levels deep; the lab opens at most ${MAX_BODY_DEPTH} levels, so this model cannot be shown`,
  );
}

interface Frame {
  kind: Kind;
  end: number;
  /** Body depth of the nearest enclosing graph. */
  depth: number;
}

/** One field of the message on top of the stack: steps over it, or returns the frame to descend into. */
function step(r: BinaryReader, top: Frame): Frame | undefined {
  const [no, wt] = r.tag();
  if (wt !== WireType.LengthDelimited) {
    r.skip(wt, no, 4);
    return undefined;
  }
  const len = r.uint32();
  const start = r.pos;
  const end = start + len;
  if (end > top.end) throw new RangeError('field runs past its message');
  const kind = inner(top.kind, no);
  if (!kind) {
    r.pos = end;
    return undefined;
  }
  return { kind, end, depth: kind === 'graph' && top.kind === 'attribute' ? top.depth + 1 : top.depth };
}

/**
 * Throws UNSUPPORTED when bodies in `buf` (a ModelProto, or a NodeProto
 * within a graph at body depth `depth`) nest deeper than MAX_BODY_DEPTH.
 * Damaged bytes end the walk quietly: the decoder reports those in its words.
 */
export function checkNesting(buf: Uint8Array, kind: 'model' | 'node', depth = 0): void {
  const r = new BinaryReader(buf);
  const stack: Frame[] = [{ kind, end: buf.byteLength, depth }];
  try {
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (r.pos >= top.end) {
        stack.pop();
        continue;
      }
      const next = step(r, top);
      if (!next) continue;
      if (next.depth > MAX_BODY_DEPTH) throw tooDeep();
      stack.push(next);
    }
  } catch (err) {
    if (err instanceof LabError) throw err;
  }
}
