/** A sequence run's snippets carry Triton's sequence parameters: a uint64 id exact, a string id quoted safely. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../tensor/tensor';
import { runSnippets } from './snippets';

const input: Tensor = { name: 'INPUT', dtype: 'INT32', shape: [1, 1], data: Int32Array.of(5) };
const base = { model: 'accumulator', version: 1, specs: [], inputs: [input], outputs: ['OUTPUT'] };

describe('snippets of a sequence run', () => {
  it('curl sends the uint64 id as its digits and the flags as booleans', () => {
    const { curl } = runSnippets({ ...base, sequence: { id: '18446744073709551615', start: true } });
    const body = /-d '(.*)'$/s.exec(curl)![1]!;
    expect(body).toContain('"parameters":{"sequence_id":18446744073709551615,"sequence_start":true,"sequence_end":false}');
    expect(() => JSON.parse(body)).not.toThrow();
  });

  it('Python passes the flags to client.infer, a hostile string id as a valid literal', () => {
    const { python } = runSnippets({ ...base, sequence: { id: '7', start: false, end: true } });
    expect(python).toContain(', sequence_id=7, sequence_start=False, sequence_end=True)');
    const hostile = runSnippets({ ...base, sequence: { id: `a"b'c\\\n`, idIsString: true, start: true } }).python;
    const parsed = execFileSync(
      '/usr/bin/python3',
      ['-c', 'import ast,sys; t=ast.parse(sys.stdin.read()); print([k.value.value for n in ast.walk(t) if isinstance(n, ast.Call) for k in n.keywords if k.arg=="sequence_id"][0])'],
      { input: hostile },
    ).toString();
    expect(parsed).toBe(`a"b'c\\\n\n`);
    const { curl } = runSnippets({ ...base, sequence: { id: '12', idIsString: true, start: true } });
    expect(curl).toContain('"sequence_id":"12"');
  });
});
