/**
 * Walks an outline against a message descriptor and returns the first place,
 * in document order, where txtpb would refuse the document. txtpb decodes;
 * this only answers "where".
 */
import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import type { OField, OMessage, OScalar, OValue } from './outline';
import type { Span } from './tokens';

export interface SchemaProblem {
  message: string;
  span: Span;
}

const BOOL_WORDS = new Set(['true', 'True', 't', 'false', 'False', 'f']);
const FLOAT_WORDS = new Set(['inf', 'infinity', 'nan', '-inf', '-infinity']);

function typeName(desc: DescMessage | DescEnum): string {
  return `${desc.kind === 'message' ? 'message' : 'enum'} ${desc.typeName}`;
}

function scalarProblem(type: ScalarType, v: OValue): string | undefined {
  if (v.kind !== 'scalar') return v.kind === 'list' ? 'a list is not allowed here' : `expected a value, got "${'{'}"`;
  const tok = v.token;
  switch (type) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      if (v.negative) return 'a string value cannot have a sign';
      return tok.type === 'string' ? undefined : 'expected a string';
    case ScalarType.BOOL:
      if (!v.negative && tok.type === 'identifier' && BOOL_WORDS.has(tok.value)) return undefined;
      if (!v.negative && tok.type === 'int' && (tok.text === '0' || tok.text === '1')) return undefined;
      return 'expected a bool';
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      if (tok.type === 'float') return undefined;
      if (tok.type === 'int') return /^0[xX0-7]/.test(tok.text) && tok.text !== '0' ? 'octal and hexadecimal are not valid for a float field' : undefined;
      if (tok.type === 'identifier' && !v.negative && FLOAT_WORDS.has(tok.value.toLowerCase())) return undefined;
      return 'expected a float';
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      if (v.negative) return 'an unsigned field does not accept a negative value';
      return tok.type === 'int' ? rangeProblem(type, v) : 'expected an integer';
    default:
      return tok.type === 'int' ? rangeProblem(type, v) : 'expected an integer';
  }
}

/** The value of an integer literal as the tokenizer reads it: decimal, 0x hex or 0-prefixed octal. */
function intValue(v: OScalar): bigint {
  const text = v.token.type === 'int' ? v.token.text : '0';
  const n = /^0[0-7]+$/.test(text) ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
  return v.negative ? -n : n;
}

const INT_RANGES: Partial<Record<ScalarType, readonly [bigint, bigint, string]>> = {
  [ScalarType.INT32]: [-(2n ** 31n), 2n ** 31n - 1n, 'int32'],
  [ScalarType.SINT32]: [-(2n ** 31n), 2n ** 31n - 1n, 'int32'],
  [ScalarType.SFIXED32]: [-(2n ** 31n), 2n ** 31n - 1n, 'int32'],
  [ScalarType.UINT32]: [0n, 2n ** 32n - 1n, 'uint32'],
  [ScalarType.FIXED32]: [0n, 2n ** 32n - 1n, 'uint32'],
  [ScalarType.INT64]: [-(2n ** 63n), 2n ** 63n - 1n, 'int64'],
  [ScalarType.SINT64]: [-(2n ** 63n), 2n ** 63n - 1n, 'int64'],
  [ScalarType.SFIXED64]: [-(2n ** 63n), 2n ** 63n - 1n, 'int64'],
  [ScalarType.UINT64]: [0n, 2n ** 64n - 1n, 'uint64'],
  [ScalarType.FIXED64]: [0n, 2n ** 64n - 1n, 'uint64'],
};

/** txtpb refuses integers outside the field's range; say so at the value, not at line 1. */
function rangeProblem(type: ScalarType, v: OScalar): string | undefined {
  const range = INT_RANGES[type];
  if (!range) return undefined;
  const n = intValue(v);
  return n < range[0] || n > range[1] ? `${v.negative ? '-' : ''}${v.token.type === 'int' ? v.token.text : ''} is out of range for ${range[2]}` : undefined;
}

function enumProblem(e: DescEnum, v: OValue): string | undefined {
  if (v.kind !== 'scalar') return `expected an enum value for ${typeName(e)}`;
  const tok = v.token;
  if (tok.type === 'int') return rangeProblem(ScalarType.INT32, v);
  if (tok.type === 'identifier' && !v.negative && e.values.some((x) => x.name === tok.value)) return undefined;
  if (tok.type === 'identifier') return `unknown enum value "${tok.value}" for ${typeName(e)}`;
  return `expected an enum value for ${typeName(e)}`;
}

class Checker {
  problem: SchemaProblem | undefined;

  private report(message: string, span: Span): void {
    if (!this.problem || span.start.offset < this.problem.span.start.offset) this.problem = { message, span };
  }

  checkMessage(desc: DescMessage, msg: OMessage): boolean {
    const seenFields = new Set<number>();
    const seenOneofs = new Set<string>();
    for (const f of msg.fields) {
      const field = desc.fields.find((x) => x.name === f.name);
      if (!field) {
        if (desc.proto.reservedName.includes(f.name)) continue;
        this.report(`unknown field "${f.name}" for ${typeName(desc)}`, f.nameSpan);
        return false;
      }
      if (field.fieldKind !== 'list' && field.fieldKind !== 'map') {
        if (field.oneof) {
          if (seenOneofs.has(field.oneof.name)) {
            this.report(`oneof "${field.oneof.name}" is already set`, f.nameSpan);
            return false;
          }
          seenOneofs.add(field.oneof.name);
        }
        if (seenFields.has(field.number)) {
          this.report(`non-repeated field "${field.name}" is repeated`, f.nameSpan);
          return false;
        }
        seenFields.add(field.number);
      }
      if (!this.checkField(field, f)) return false;
    }
    return true;
  }

  private checkField(field: DescField, f: OField): boolean {
    const colonOptional = field.fieldKind === 'message' || field.fieldKind === 'map' || (field.fieldKind === 'list' && field.listKind === 'message');
    const v = f.value;
    if (!v) return true;
    if (!colonOptional && !f.hasColon) {
      this.report(`expected ":" before value of field "${field.name}"`, v.span);
      return false;
    }
    switch (field.fieldKind) {
      case 'scalar':
        return this.expect(scalarProblem(field.scalar, v), v);
      case 'enum':
        return this.expect(enumProblem(field.enum, v), v);
      case 'message':
        return this.checkSubMessage(field.message, v);
      case 'list':
        for (const item of v.kind === 'list' ? v.items : [v]) {
          const ok =
            field.listKind === 'scalar'
              ? this.expect(scalarProblem(field.scalar, item), item)
              : field.listKind === 'enum'
                ? this.expect(enumProblem(field.enum, item), item)
                : this.checkSubMessage(field.message, item);
          if (!ok) return false;
        }
        return true;
      case 'map':
        for (const item of v.kind === 'list' ? v.items : [v]) if (!this.checkMapEntry(field, item)) return false;
        return true;
    }
  }

  private expect(problem: string | undefined, v: OValue): boolean {
    if (problem) this.report(problem, v.span);
    return !problem;
  }

  private checkSubMessage(desc: DescMessage, v: OValue): boolean {
    if (v.kind !== 'message') {
      this.report(`expected "{" or "<" to open ${typeName(desc)}`, v.span);
      return false;
    }
    return this.checkMessage(desc, v);
  }

  private checkMapEntry(field: DescField & { fieldKind: 'map' }, v: OScalar | OMessage): boolean {
    if (v.kind !== 'message') {
      this.report(`expected "{" or "<" to open a map entry of "${field.name}"`, v.span);
      return false;
    }
    const seen = new Set<string>();
    for (const f of v.fields) {
      if (f.name !== 'key' && f.name !== 'value') {
        this.report(`unknown field "${f.name}" in map entry`, f.nameSpan);
        return false;
      }
      if (seen.has(f.name)) {
        this.report(`map entry "${f.name}" is already set`, f.nameSpan);
        return false;
      }
      seen.add(f.name);
      const ev = f.value;
      if (!ev) return true;
      const needsColon = f.name === 'key' || field.mapKind !== 'message';
      if (needsColon && !f.hasColon) {
        this.report(`expected ":" before value of field "${f.name}"`, ev.span);
        return false;
      }
      let ok: boolean;
      if (f.name === 'key') ok = this.expect(scalarProblem(field.mapKey, ev), ev);
      else if (field.mapKind === 'scalar') ok = this.expect(scalarProblem(field.scalar, ev), ev);
      else if (field.mapKind === 'enum') ok = this.expect(enumProblem(field.enum, ev), ev);
      else ok = this.checkSubMessage(field.message, ev);
      if (!ok) return false;
    }
    return true;
  }
}

/** The first schema problem in the outline, or undefined when txtpb should accept it. */
export function findSchemaProblem(desc: DescMessage, root: OMessage): SchemaProblem | undefined {
  const checker = new Checker();
  checker.checkMessage(desc, root);
  return checker.problem;
}
