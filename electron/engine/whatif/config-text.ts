/**
 * A variant's config.pbtxt as text. People comment their configs (the samples do), and a what-if
 * that rewrote the whole file through the printer would drop every comment and reorder fields:
 * so only the top-level fields a variant changes (instance_group, dynamic_batching) are cut out
 * of the user's text and the printer's version of just those fields put where the first one was.
 * The result is parsed back and must equal the variant's config; when it does not (or the file
 * does not parse), the whole config is printed instead.
 */
import { create } from '@bufbuild/protobuf';
import { type ModelConfig, ModelConfigSchema } from '../config/gen/model_config_pb';
import { configToText } from '../config/serialize';
import { parseConfigText } from '../config/text/parse';
import { configKey } from './variants';

type Field = 'instance_group' | 'dynamic_batching';

/** Just the field, as the printer writes it. */
function printed(c: ModelConfig, field: Field): string {
  const only = create(ModelConfigSchema);
  if (field === 'instance_group') only.instanceGroup = c.instanceGroup;
  else if (c.schedulingChoice.case === 'dynamicBatching') only.schedulingChoice = c.schedulingChoice;
  // An empty message as Triton's docs write it (`dynamic_batching { }`), not the printer's `dynamic_batching: {}`.
  return configToText(only)
    .trim()
    .replace(/^(\w+): \{\}$/gm, '$1 { }');
}

/** [start, end) of a top-level field's occurrences, widened to whole lines when nothing else shares them. */
function spans(text: string, field: Field): [number, number][] {
  const parsed = parseConfigText(text);
  const out: [number, number][] = [];
  for (const f of parsed.outline.root.fields) {
    if (f.name !== field || !f.value) continue;
    let start = f.nameSpan.start.offset;
    let end = f.value.span.end.offset;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const nl = text.indexOf('\n', end);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    if (text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '') {
      start = lineStart;
      end = lineEnd;
    }
    out.push([start, end]);
  }
  return out;
}

function replaceField(text: string, field: Field, replacement: string): string {
  const found = spans(text, field);
  if (found.length === 0) {
    if (replacement === '') return text;
    return `${text.replace(/\n*$/, '')}\n\n${replacement}\n`;
  }
  let out = text;
  for (let i = found.length - 1; i >= 0; i--) {
    const [start, end] = found[i]!;
    const wholeLines = start === 0 || out[start - 1] === '\n';
    const insert = i === 0 && replacement !== '' ? (wholeLines ? `${replacement}\n` : replacement) : '';
    out = out.slice(0, start) + insert + out.slice(end);
  }
  return out;
}

/** The variant's text: the user's file with only the changed fields rewritten, or the whole config printed when that cannot be done faithfully. */
export function variantText(originalText: string | undefined, base: ModelConfig, variant: ModelConfig): string {
  if (originalText === undefined || originalText.trim() === '') return configToText(variant);
  let text = originalText;
  for (const field of ['instance_group', 'dynamic_batching'] as const) {
    const want = printed(variant, field);
    if (want !== printed(base, field)) text = replaceField(text, field, want);
  }
  const back = parseConfigText(text).config;
  return back && configKey(back) === configKey(variant) ? text : configToText(variant);
}
