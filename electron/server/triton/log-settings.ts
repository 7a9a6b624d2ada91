/**
 * Triton's dynamic logging settings (GET/POST /v2/logging, gRPC LogSettings):
 * which levels print, the verbose level and the line format, with Triton's
 * field names, types and errors. The log file can only be set at start.
 */
import { LabError } from '../../engine/errors';

export type LogLevel = 'info' | 'warning' | 'error' | 'verbose';

export interface LogSettingsJson {
  log_file: string;
  log_info: boolean;
  log_warning: boolean;
  log_error: boolean;
  log_verbose_level: number;
  log_format: string;
}

/** A value as a frontend received it: JSON (HTTP) or a gRPC SettingValue. */
export type SettingValue = boolean | number | string | null;

function asBool(key: string, v: SettingValue): boolean {
  if (typeof v !== 'boolean') throw new LabError('INVALID_ARG', `attempt to access JSON non-boolean as boolean for '${key}'`);
  return v;
}

export class LogSettings {
  private s: LogSettingsJson = { log_file: '', log_info: true, log_warning: true, log_error: true, log_verbose_level: 0, log_format: 'default' };

  constructor(init: Partial<LogSettingsJson> = {}) {
    this.s = { ...this.s, ...init };
  }

  get(): LogSettingsJson {
    return { ...this.s };
  }

  /** Applies the given settings; a null value leaves a setting as it is, as in Triton. */
  update(changes: Record<string, SettingValue>): LogSettingsJson {
    const next = { ...this.s };
    for (const [key, v] of Object.entries(changes)) {
      if (v === null) continue;
      switch (key) {
        case 'log_file':
          throw new LabError('UNSUPPORTED', 'log file location can not be updated through network protocol');
        case 'log_info':
        case 'log_warning':
        case 'log_error':
          next[key] = asBool(key, v);
          break;
        case 'log_verbose_level':
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new LabError('INVALID_ARG', `attempt to access JSON non-unsigned-integer as unsigned-integer for '${key}'`);
          next.log_verbose_level = v;
          break;
        case 'log_format':
          if (typeof v !== 'string') throw new LabError('INVALID_ARG', `attempt to access JSON non-string as string for '${key}'`);
          if (v !== 'default' && v !== 'ISO8601') throw new LabError('UNAVAILABLE', `invalid argument for --log_format, got: ${v}`);
          next.log_format = v;
          break;
        default:
          // Triton ignores settings it does not know.
          break;
      }
    }
    this.s = next;
    return this.get();
  }

  allows(level: LogLevel): boolean {
    if (level === 'verbose') return this.s.log_verbose_level > 0;
    return level === 'info' ? this.s.log_info : level === 'warning' ? this.s.log_warning : this.s.log_error;
  }

  /** A log line in Triton's default (glog-like) or ISO8601 format. */
  format(level: LogLevel, message: string, when = new Date()): string {
    const letter = level === 'error' ? 'E' : level === 'warning' ? 'W' : 'I';
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    if (this.s.log_format === 'ISO8601') return `${when.toISOString()} ${letter} model-lab] ${message}`;
    const stamp = `${p(when.getMonth() + 1)}${p(when.getDate())} ${p(when.getHours())}:${p(when.getMinutes())}:${p(when.getSeconds())}.${p(when.getMilliseconds() * 1000, 6)}`;
    return `${letter}${stamp} ${process.pid} model-lab] ${message}`;
  }
}
