/**
 * Reads config.pbtxt text into a typed ModelConfig with txtpb, and keeps an
 * outline of the text so errors and diagnostics carry line:column.
 */
import { fromText } from '@bufbuild/protobuf/txtpb';
import { type ModelConfig, ModelConfigSchema } from '../gen/model_config_pb';
import { errorMessage } from '../../errors';
import { type Outline, outlineText } from './outline';
import { findSchemaProblem } from './schema-check';
import type { Span } from './tokens';

export interface TextError {
  /** txtpb's own wording when it refused the text, else the outline's. */
  message: string;
  span: Span;
}

export interface ParsedConfigText {
  config?: ModelConfig;
  error?: TextError;
  outline: Outline;
}

const FIRST: Span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

function strip(message: string): string {
  return message.replace(/^cannot decode field [\w.]+ from text format: /, '');
}

export function parseConfigText(text: string): ParsedConfigText {
  const outline = outlineText(text);
  let config: ModelConfig | undefined;
  let decodeError: string | undefined;
  try {
    config = fromText(ModelConfigSchema, text);
  } catch (err) {
    decodeError = strip(errorMessage(err));
  }
  if (decodeError === undefined) {
    // txtpb accepted it: any outline complaint is ours alone (e.g. depth) and not fatal.
    return { config, outline };
  }
  const problem = findSchemaProblem(ModelConfigSchema, outline.root);
  const syntax = outline.error;
  let span = FIRST;
  if (problem && (!syntax || problem.span.start.offset <= syntax.span.start.offset)) span = problem.span;
  else if (syntax) span = syntax.span;
  return { error: { message: decodeError, span }, outline };
}
