/** The sequence form's id check counts a string id in UTF-8 bytes, as Triton's core does (at most 128). */
import { describe, expect, it } from 'vitest';
import { sequenceIssue, type SequenceForm } from './sequence-form';

const form = (id: string, idIsString: boolean): SequenceForm => ({ enabled: true, id, idIsString, start: true, end: false, continues: true });

describe('sequenceIssue', () => {
  it('a string id may be 128 bytes, not 129: 42 Chinese characters pass, 43 do not', () => {
    expect(sequenceIssue(form('x'.repeat(128), true))).toBe('');
    expect(sequenceIssue(form('汉'.repeat(42), true))).toBe('');
    expect(sequenceIssue(form('汉'.repeat(43), true))).toBe('seq.issue.tooLong');
  });

  it('a numeric id is a non-zero uint64', () => {
    expect(sequenceIssue(form('18446744073709551615', false))).toBe('');
    expect(sequenceIssue(form('18446744073709551616', false))).toBe('seq.issue.notUint');
    expect(sequenceIssue(form('0', false))).toBe('seq.issue.zero');
  });
});
