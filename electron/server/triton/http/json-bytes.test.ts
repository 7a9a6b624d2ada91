/**
 * BYTES outputs requested as JSON are written as Triton's HTTP frontend writes them
 * (WriteDataToJson: AppendStringRef, then RapidJSON's Writer without encoding validation): the
 * element's own bytes inside the quotes, only '"', '\' and control characters escaped. Bytes that
 * are not UTF-8 stay as they are, so the client fails to read the JSON as tritonclient does with
 * Triton ("Failed to encode using UTF-8. Please use binary_data=True ..."), instead of U+FFFD.
 */
import { describe, expect, it } from 'vitest';
import { encodeInferResponse } from './infer-response';

const resp = (elements: Uint8Array[]) => ({ modelName: 'm', modelVersion: '1', id: '', outputs: [{ name: 'OUT', dtype: 'BYTES' as const, shape: [elements.length], data: elements }] });

describe('BYTES outputs as JSON', () => {
  it('valid UTF-8 is plain JSON text', () => {
    const enc = encodeInferResponse(resp([Buffer.from('héllo "x"\n')]), new Map(), 'json');
    expect(JSON.parse(Buffer.from(enc.json).toString('utf8')).outputs[0].data).toEqual(['héllo "x"\n']);
  });

  it('bytes that are not UTF-8 go out unchanged, not as U+FFFD; the rest of the JSON is intact', () => {
    const bad = Uint8Array.from([0x61, 0xfa, 0x03, 0x22, 0x5c, 0xff, 0x0a]);
    const enc = encodeInferResponse(resp([Buffer.from('ok'), bad]), new Map(), 'json');
    const bytes = Buffer.from(enc.json);
    expect(bytes.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    // a, 0xfa, \u0003, \", \\, 0xff, \n
    const inner = Buffer.concat([Buffer.from('"a'), Buffer.from([0xfa]), Buffer.from('\\u0003\\"\\\\'), Buffer.from([0xff]), Buffer.from('\\n"')]);
    expect(bytes.includes(Buffer.concat([Buffer.from('["ok",'), inner, Buffer.from(']')]))).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    // Read as latin1 the document is still well-formed JSON around the raw bytes.
    expect(JSON.parse(bytes.toString('latin1')).model_name).toBe('m');
  });
});
