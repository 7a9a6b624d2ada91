/**
 * The playground's sequence controls for a model with sequence_batching: the correlation id (a
 * uint64 in decimal, or a string id when the model's CORRID is TYPE_STRING), start/end, and
 * "the next run continues the sequence", which clears Start after a run that went through and,
 * after a run that ended the sequence, gets the form ready to start the next one.
 */
import type { ModelDetail, RunSequence } from '@contract/lab-api';

export interface SequenceForm {
  /** Send the sequence flags with the runs (off: plain requests, which the model refuses). */
  enabled: boolean;
  id: string;
  idIsString: boolean;
  start: boolean;
  end: boolean;
  /** After each run: Start off (the next run continues), and on again once a run ended it. */
  continues: boolean;
}

const UINT64_MAX = (1n << 64n) - 1n;

/** Whether the model's CORRID control takes string ids (sequence_batching.control_input in the completed config). */
function stringIds(detail: ModelDetail): boolean {
  const text = detail.completedConfigText ?? detail.configText ?? '';
  const corrid = /kind:\s*CONTROL_SEQUENCE_CORRID[^}]*?data_type:\s*(TYPE_\w+)|data_type:\s*(TYPE_\w+)[^}]*?kind:\s*CONTROL_SEQUENCE_CORRID/.exec(text);
  return (corrid?.[1] ?? corrid?.[2]) === 'TYPE_STRING';
}

function newSequenceForm(detail: ModelDetail): SequenceForm {
  const idIsString = stringIds(detail);
  return { enabled: true, id: idIsString ? 'seq-1' : '1', idIsString, start: true, end: false, continues: true };
}

/** What is wrong with the form ('' when nothing): a message key of the sequences module. */
export function sequenceIssue(f: SequenceForm): '' | 'seq.issue.empty' | 'seq.issue.notUint' | 'seq.issue.zero' | 'seq.issue.tooLong' {
  if (!f.enabled) return '';
  if (f.id.trim() === '') return 'seq.issue.empty';
  // Counted in UTF-8 bytes, as Triton's core counts it.
  if (f.idIsString) return new TextEncoder().encode(f.id).length > 128 ? 'seq.issue.tooLong' : '';
  const text = f.id.trim();
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > UINT64_MAX) return 'seq.issue.notUint';
  return BigInt(text) === 0n ? 'seq.issue.zero' : '';
}

/** The run request's sequence, or undefined when the flags are off. */
export function sequenceRequest(f: SequenceForm | undefined): RunSequence | undefined {
  if (!f?.enabled) return undefined;
  return { id: f.idIsString ? f.id : f.id.trim(), ...(f.idIsString ? { idIsString: true } : {}), start: f.start, end: f.end };
}

/** After a run: with "continues", the next run continues the sequence, or starts a new one once this one ended. */
export function afterRun(f: SequenceForm, ok: boolean): void {
  if (!f.enabled || !f.continues || !ok) return;
  if (f.end) {
    f.start = true;
    f.end = false;
  } else {
    f.start = false;
  }
}

/** A run's sequence in a few words: "Sequence 7 · start · end". */
export function sequenceText(seq: RunSequence, t: (key: 'seq.run' | 'seq.run.start' | 'seq.run.end', vars?: Record<string, string>) => string): string {
  const id = seq.idIsString ? JSON.stringify(seq.id) : seq.id;
  return [t('seq.run', { id }), ...(seq.start ? [t('seq.run.start')] : []), ...(seq.end ? [t('seq.run.end')] : [])].join(' · ');
}

/** Whether runs of the model carry sequences: it has sequence_batching, or it is an ensemble with such a member. */
function takesSequences(detail: ModelDetail): boolean {
  return detail.scheduling === 'sequence_batching' || detail.ensembleSteps.some((s) => s.sequence === true);
}

/** The sequence controls of a new playground form, for models that take sequences. */
export function sequenceFormFor(detail: ModelDetail): { sequence?: SequenceForm } {
  return takesSequences(detail) ? { sequence: newSequenceForm(detail) } : {};
}
