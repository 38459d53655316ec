import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { formatBatchLines } from './jsonl-lines.js';

export interface StdoutSinkOptions {
  /** Where lines go. @default process.stdout */
  readonly stream?: Writable;
}

/**
 * Writes posts as JSONL to stdout (`--sink jsonl:-`), one line per post. `write` waits for `drain`
 * when the pipe is full, so a slow reader slows the poller instead of filling memory. A broken pipe
 * (the reader went away) is a non-retryable SinkError. Closing never ends the stream itself.
 */
export class StdoutSink implements Sink {
  readonly #stream: Writable;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: StdoutSinkOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
  }

  write(batch: Batch, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError('stdout sink is closed', false));
    const next = this.#tail.then(() => this.#write(formatBatchLines(batch), signal));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #write(text: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const stream = this.#stream;
    if (stream.destroyed || stream.writableEnded) throw new SinkError('stdout is closed', false);
    const wrap = (cause: Error) =>
      new SinkError(`cannot write to stdout: ${cause.message}`, false, { cause });
    // The write callback carries the error; this listener only keeps an 'error' event from crashing the process.
    const ignore = (): void => undefined;
    stream.on('error', ignore);
    try {
      await new Promise<void>((resolve, reject) => {
        stream.write(text, (error) => (error ? reject(wrap(error)) : resolve()));
      });
      if (stream.writableNeedDrain) await once(stream, 'drain', signal ? { signal } : {});
    } finally {
      stream.off('error', ignore);
    }
  }

  /** A pipe has nothing to fsync: a written batch is the reader's once the write callback ran. */
  flush(): Promise<void> {
    return this.#tail;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
  }
}
