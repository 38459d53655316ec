import type { Writable } from 'node:stream';
import {
  LogEvent,
  type LogEventName,
  type LogFields,
  type Logger,
  type LogLevel,
} from '../../core/ports/observability.js';
import type { RunEvent, RunObserver } from '../../core/ports/run-events.js';

/**
 * The one-line status of a run on an interactive terminal
 * (`posts 120 · requests 7 · rate limit 443/450 · waits 1 · retries 0`), counted from the run's
 * typed events: posts are the delivered ones (committed), as in `tweets_delivered`. Only used when
 * stderr is a TTY.
 */
export class ProgressLine implements RunObserver {
  readonly #tty: Pick<Writable, 'write'>;
  #posts = 0;
  #requests = 0;
  #waits = 0;
  #retries = 0;
  #rateLimit = '-';
  #shown = false;

  constructor(tty: Pick<Writable, 'write'>) {
    this.#tty = tty;
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'request':
        this.#requests++;
        if (event.rateLimit !== undefined)
          this.#rateLimit = `${event.rateLimit.remaining}/${event.rateLimit.limit}`;
        break;
      case 'committed':
        this.#posts += event.posts;
        break;
      case 'rate_limit_wait':
        this.#waits++;
        break;
      case 'retry':
        this.#retries++;
        break;
      default:
        return;
    }
    this.render();
  }

  /** Draws the line (over the one shown, if any). */
  render(): void {
    this.#tty.write(
      `\r\x1b[Kposts ${this.#posts} · requests ${this.#requests} · rate limit ${this.#rateLimit} · waits ${this.#waits} · retries ${this.#retries}`,
    );
    this.#shown = true;
  }

  /** Removes the line (before a log line, and before the process prints its last words). */
  clear(): void {
    if (!this.#shown) return;
    this.#tty.write('\r\x1b[K');
    this.#shown = false;
  }
}

/**
 * A Logger decorator for an interactive terminal: it passes every event on, clearing the progress
 * line before each log line and drawing it again after it (not after `execution_end`, the last line).
 */
export class ProgressLogger implements Logger {
  readonly #inner: Logger;
  readonly #line: ProgressLine;

  constructor(inner: Logger, line: ProgressLine) {
    this.#inner = inner;
    this.#line = line;
  }

  log(level: LogLevel, event: LogEventName, fields: LogFields = {}): void {
    this.#line.clear();
    this.#inner.log(level, event, fields);
    if (event !== LogEvent.executionEnd) this.#line.render();
  }

  child(fields: LogFields): Logger {
    return new ProgressLogger(this.#inner.child(fields), this.#line);
  }
}
