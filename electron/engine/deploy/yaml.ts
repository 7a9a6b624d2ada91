/**
 * A small YAML writer for the generated manifests: plain objects, arrays,
 * strings, numbers and booleans only. Every string is written double-quoted
 * with JSON's escapes (a subset of YAML's double-quoted style), so no value,
 * whatever it holds (a colon, a '#', a newline, "yes"), is read back as
 * anything but the same string. Keys are plain when they are simple names,
 * quoted otherwise.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][\w./-]*$/;

function key(k: string): string {
  return PLAIN_KEY.test(k) && !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('YAML: numbers must be finite');
  return String(v);
}

function isEmpty(v: YamlValue): boolean {
  return (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === undefined));
}

function lines(v: YamlValue, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (typeof item !== 'object' || item === null || isEmpty(item)) return [`${indent}- ${inline(item)}`];
      const [first, ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first!.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, item]) => {
      if (item === undefined) return [];
      if (typeof item !== 'object' || item === null || isEmpty(item)) return [`${indent}${key(k)}: ${inline(item)}`];
      return [`${indent}${key(k)}:`, ...lines(item, Array.isArray(item) ? `${indent}  ` : `${indent}  `)];
    });
  }
  return [`${indent}${scalar(v)}`];
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}

/** One YAML document. */
export function toYaml(v: YamlValue): string {
  return `${lines(v, '').join('\n')}\n`;
}
