/**
 * What a model prints becomes lines of its log. A model may print a 1 GB line
 * without a newline, or log one huge message: every line is cut at
 * MAX_LOG_LINE characters (the cut says how much was dropped), and a stream
 * never holds more than one cut line while it waits for a newline, so a
 * model's log costs at most its line count times MAX_LOG_LINE.
 */
import { StringDecoder } from 'node:string_decoder';

/** The longest line kept in a model's log, in characters. */
export const MAX_LOG_LINE = 8192;

function cut(line: string, dropped: number): string {
  const extra = dropped + Math.max(0, line.length - MAX_LOG_LINE);
  return extra > 0 ? `${line.slice(0, MAX_LOG_LINE)} … (${extra} more characters not kept)` : line;
}

/** A message as a log keeps it: at most MAX_LOG_LINE characters. */
export function clipLine(message: string): string {
  return message.length > MAX_LOG_LINE ? cut(message, 0) : message;
}

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Passes on a last line without its newline (the stream ended). */
  flush(): void;
}

/** Splits a byte stream into lines (UTF-8 across chunk boundaries), each passed to `log` once complete and cut to MAX_LOG_LINE. */
export function lineSplitter(log: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let dropped = 0;
  const emit = (line: string): void => {
    const clean = line.replace(/\r$/, '');
    if (clean.trim() || dropped > 0) log(cut(clean, dropped));
    partial = '';
    dropped = 0;
  };
  const hold = (text: string): void => {
    partial += text;
    if (partial.length > MAX_LOG_LINE) {
      dropped += partial.length - MAX_LOG_LINE;
      partial = partial.slice(0, MAX_LOG_LINE);
    }
  };
  return {
    push(chunk) {
      const parts = decoder.write(chunk).split('\n');
      const last = parts.pop() ?? '';
      for (const p of parts) {
        hold(p);
        emit(partial);
      }
      hold(last);
    },
    flush() {
      hold(decoder.end());
      if (partial || dropped) emit(partial);
    },
  };
}
