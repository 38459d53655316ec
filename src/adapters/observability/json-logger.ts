import type { Writable } from 'node:stream';
import type { LogEventName, LogFields, Logger, LogLevel } from '../../core/ports/observability.js';
import { redactSecrets } from '../../core/redaction.js';

const LEVEL_RANK = { debug: 10, info: 20, warn: 30, error: 40 } as const satisfies Record<LogLevel, number>;

export interface JsonLoggerOptions {
  /** @default process.stderr */
  readonly stream?: Pick<Writable, 'write'>;
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  /** Strings that must never be printed (the bearer token); each occurrence becomes `[REDACTED]`. @default [] */
  readonly secrets?: readonly string[];
  /** Fields on every line (e.g. `correlation_id`). @default {} */
  readonly fields?: LogFields;
  /** The `time` of a line. @default () => new Date() */
  readonly now?: () => Date;
}

/** Replaces every secret, and every `Bearer <credential>`, with `[REDACTED]` (core/redaction.ts). */
export function redact(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets);
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === 'function' ? json.call(value) : { name: value.name, message: value.message };
  }
  return value;
}

/**
 * The CLI's Logger: one JSON object per line (`time`, `level`, `event`, then fields) with stable
 * snake_case keys. Redaction is a safety net: callers never pass the token, but if one slips into an
 * error message it is still not printed.
 */
export class JsonLogger implements Logger {
  readonly #stream: Pick<Writable, 'write'>;
  readonly #level: LogLevel;
  readonly #secrets: readonly string[];
  readonly #fields: LogFields;
  readonly #now: () => Date;

  constructor(options: JsonLoggerOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#level = options.level ?? 'info';
    this.#secrets = options.secrets ?? [];
    this.#fields = options.fields ?? {};
    this.#now = options.now ?? (() => new Date());
  }

  log(level: LogLevel, event: LogEventName, fields: LogFields = {}): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.#level]) return;
    const line = JSON.stringify(
      { time: this.#now().toISOString(), level, event, ...this.#fields, ...fields },
      replacer,
    );
    this.#stream.write(`${redact(line, this.#secrets)}\n`);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger({
      stream: this.#stream,
      level: this.#level,
      secrets: this.#secrets,
      fields: { ...this.#fields, ...fields },
      now: this.#now,
    });
  }
}
