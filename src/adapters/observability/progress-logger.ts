import type { Writable } from 'node:stream';
import {
  LogEvent,
  type LogEventName,
  type LogFields,
  type Logger,
  type LogLevel,
} from '../../core/ports/observability.js';

/** The counts the progress line shows, shared by a logger and all its children. */
interface ProgressState {
  posts: number;
  requests: number;
  waits: number;
  retries: number;
  rateLimit: string;
  shown: boolean;
}

const numberField = (fields: LogFields, ...keys: string[]): number | undefined => {
  for (const key of keys) if (typeof fields[key] === 'number') return fields[key] as number;
  return undefined;
};

/**
 * A Logger decorator for an interactive terminal: it passes every event on and keeps one status line
 * (`posts 120 · requests 7 · rate limit 443/450 · waits 1`) at the bottom of stderr, cleared before
 * each log line and redrawn after it. Only used when stderr is a TTY.
 */
export class ProgressLogger implements Logger {
  readonly #inner: Logger;
  readonly #tty: Pick<Writable, 'write'>;
  readonly #state: ProgressState;

  constructor(inner: Logger, tty: Pick<Writable, 'write'>, state?: ProgressState) {
    this.#inner = inner;
    this.#tty = tty;
    this.#state = state ?? { posts: 0, requests: 0, waits: 0, retries: 0, rateLimit: '-', shown: false };
  }

  log(level: LogLevel, event: LogEventName, fields: LogFields = {}): void {
    this.#count(event, fields);
    this.#clear();
    this.#inner.log(level, event, fields);
    if (event !== LogEvent.executionEnd) this.#render();
  }

  child(fields: LogFields): Logger {
    return new ProgressLogger(this.#inner.child(fields), this.#tty, this.#state);
  }

  /** Removes the status line (before the process prints its last words). */
  finish(): void {
    this.#clear();
  }

  #count(event: LogEventName, fields: LogFields): void {
    const s = this.#state;
    if (event === LogEvent.apiCall) s.requests += 1;
    if (event === LogEvent.batch)
      s.posts += numberField(fields, 'tweets', 'count', 'size', 'tweet_count') ?? 0;
    if (event === LogEvent.retry) s.retries += 1;
    if (event === LogEvent.rateLimitEncounter) s.waits += 1;
    const remaining = numberField(fields, 'rate_limit_remaining');
    const limit = numberField(fields, 'rate_limit_limit');
    if (remaining !== undefined)
      s.rateLimit = limit === undefined ? `${remaining} left` : `${remaining}/${limit}`;
  }

  #render(): void {
    const s = this.#state;
    this.#tty.write(
      `\r\x1b[Kposts ${s.posts} · requests ${s.requests} · rate limit ${s.rateLimit} · waits ${s.waits} · retries ${s.retries}`,
    );
    s.shown = true;
  }

  #clear(): void {
    if (!this.#state.shown) return;
    this.#tty.write('\r\x1b[K');
    this.#state.shown = false;
  }
}
