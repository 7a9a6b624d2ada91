/**
 * What a node box says besides its op type, as Netron draws it and a bit
 * more: each constant input named by its role in the operator's schema
 * (`W ⟨16×3×3×3⟩`, `scale ⟨16⟩`) or shown by value when small (`B = 3`,
 * `shape = [0, -1, 512]`), then the attributes that differ from the schema's
 * defaults (`kernel_shape = 3×3`, `group = 16`). Without a schema the rows
 * fall back to value names and every plain attribute.
 */
import type { GraphAttribute, OpDoc, OpParam } from '@contract/lab-api';
import { aliasLegend, clip, dimsText, fitDims, shortName } from './format';
import { constRows, opDocOf, type GraphModel } from './graph-model';

export interface NodeRow {
  kind: 'const' | 'attr';
  /** Role (`W`, `scale`), value name when the schema says nothing, or attribute name. */
  label: string;
  /** `⟨16×3×3×3⟩`, `= 3` or `= 3×3`. */
  text: string;
  /** Value name for a constant row; `@name` for an attribute row (unique within a node either way). */
  value: string;
  /** Index into summary.initializers, for constant rows whose values can be shown. */
  init?: number;
  /** Full text for hover: the value name, its type with full dim names, or the attribute's whole value (written when read). */
  readonly tooltip: string;
}

/** A value shown inline up to this many characters; longer ones show their dims. */
const MAX_VALUE_TEXT = 24;
/** A row's label and text together fit this many characters (a box is at most 260 px wide). */
const MAX_ROW_CHARS = 38;
/** Labels are cut to this many characters, leaving room for the value. */
const MAX_LABEL = 22;
/** Attribute types a box shows (tensors fold elsewhere; subgraphs open as their own view). */
const SHOWN_ATTR_TYPES: ReadonlySet<string> = new Set(['INT', 'FLOAT', 'STRING', 'INTS', 'FLOATS', 'STRINGS']);
/** Attributes whose lists are spatial sizes, written `3×3` as Netron does. */
const SPATIAL: ReadonlySet<string> = new Set(['kernel_shape', 'strides', 'dilations', 'output_shape', 'output_padding', 'pooled_shape', 'sizes']);
/**
 * Attributes the specification leaves without a default but defines as
 * "1 (or 0) along each spatial axis when absent": equal to that, they say nothing.
 */
const IMPLIED_ALL: Readonly<Record<string, string>> = { strides: '1', dilations: '1', pads: '0' };

/**
 * The role of each of `count` values against a schema's parameters: a
 * variadic parameter names every value from its position on (`inputs[0]`,
 * `inputs[1]`, … when there are several); undefined past the schema.
 */
export function paramRoles(params: readonly OpParam[] | undefined, count: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  if (!params) return new Array<undefined>(count).fill(undefined);
  const variadic = params.findIndex((p) => p.option === 'variadic');
  for (let k = 0; k < count; k++) {
    if (variadic >= 0 && k >= variadic) {
      const name = params[variadic]!.name;
      out.push(count - variadic > 1 ? `${name}[${k - variadic}]` : name);
    } else out.push(params[k]?.name);
  }
  return out;
}

/** The list items of an attribute's display text (`[1, 1]` → 1, 1), or undefined for a cut list. */
function listItems(value: string): string[] | undefined {
  if (value.includes('…')) return undefined;
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  return inner ? inner.split(',').map((x) => x.trim()) : [];
}

function sameValue(a: string, b: string): boolean {
  const x = listItems(a);
  const y = listItems(b);
  if (!x || !y || x.length !== y.length) return a.trim() === b.trim();
  return x.every((v, i) => v === y[i] || (v !== '' && y[i] !== '' && Number(v) === Number(y[i]) && !Number.isNaN(Number(v))));
}

/** Whether an attribute says nothing beyond its schema's default. */
export function isDefaultAttribute(a: GraphAttribute, spec: OpDoc['attributes']): boolean {
  const def = spec?.find((s) => s.name === a.name)?.default;
  if (def !== undefined && sameValue(a.value, def)) return true;
  const implied = IMPLIED_ALL[a.name];
  const items = a.type === 'INTS' ? listItems(a.value) : undefined;
  return implied !== undefined && def === undefined && !!items?.length && items.every((v) => v === implied);
}

/** An attribute value as a box shows it: `3×3` for spatial sizes, `1,1,1,1` for other lists. */
export function attributeText(a: GraphAttribute): string {
  const items = a.type.endsWith('S') ? listItems(a.value) : undefined;
  if (!items) return a.value;
  if (a.type === 'INTS' && SPATIAL.has(a.name) && items.length) return items.join('×');
  return items.join(',');
}

/** The constant-input rows of node i: role (or value name) with the value when small, else the dims. */
export function constInputRows(m: GraphModel, i: number, doc = opDocOf(m, i)): NodeRow[] {
  const consts = constRows(m, i);
  if (!consts.length) return [];
  const roles = paramRoles(doc?.inputs, m.summary.nodes[i]!.inputs.length);
  return consts.map((r) => {
    const label = clip(roles[r.index] ?? shortName(r.value), MAX_LABEL);
    const room = MAX_ROW_CHARS - label.length - 3;
    const inline = r.preview !== undefined && r.preview.length <= Math.min(MAX_VALUE_TEXT, room);
    const text = inline ? `= ${r.preview}` : r.dims ? `⟨${fitDims(r.dims, room, m.dimAliases)}⟩` : '';
    const row: NodeRow = {
      kind: 'const',
      label,
      text,
      value: r.value,
      get tooltip() {
        const full = r.dims ? `${r.dtype ?? ''}[${dimsText(r.dims)}]` : (r.dtype ?? '');
        return [r.value, full, r.preview !== undefined ? `= ${r.preview}` : '', ...aliasLegend(r.dims, m.dimAliases)].filter(Boolean).join('\n');
      },
    };
    if (r.init !== undefined) row.init = r.init;
    return row;
  });
}

/** The attribute rows of node i: plain attributes that differ from the schema default, in the node's order. */
export function attributeRows(m: GraphModel, i: number, doc = opDocOf(m, i)): NodeRow[] {
  const rows: NodeRow[] = [];
  const attributes = m.summary.nodes[i]!.attributes;
  if (!attributes.length) return rows;
  for (const a of attributes) {
    if (!SHOWN_ATTR_TYPES.has(a.type) || isDefaultAttribute(a, doc?.attributes)) continue;
    const label = clip(a.name, MAX_LABEL);
    const text = `= ${clip(attributeText(a), MAX_ROW_CHARS - label.length - 3)}`;
    rows.push({ kind: 'attr', label, text, value: `@${a.name}`, tooltip: `${a.name} = ${a.value} (${a.type})` });
  }
  return rows;
}

/** Every row of node i's box, constant inputs first. */
export function nodeRows(m: GraphModel, i: number, doc = opDocOf(m, i)): NodeRow[] {
  const rows = constInputRows(m, i, doc);
  for (const r of attributeRows(m, i, doc)) rows.push(r);
  return rows;
}
