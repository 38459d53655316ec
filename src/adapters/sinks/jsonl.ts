import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { formatBatchLines } from './jsonl-lines.js';

export interface JsonlFileSinkOptions {
  /** The file to append to; it and its directory are created. */
  readonly path: string;
}

/**
 * Appends posts to a JSONL file (format: jsonl-lines.ts). A batch is one append; `flush` fsyncs the
 * file, and the poller moves the checkpoint only after it, so the checkpoint never moves past posts
 * that a crash of the machine could still take away. A process crash loses nothing appended.
 */
export class JsonlFileSink implements Sink {
  readonly #path: string;
  #handle: Promise<FileHandle> | undefined;
  /** Writes are chained so that batches land in call order even when not awaited. */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  /** Appended since the last fsync. */
  #dirty = false;

  constructor(options: JsonlFileSinkOptions) {
    this.#path = options.path;
  }

  write(batch: Batch, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    const next = this.#tail.then(() => this.#append(formatBatchLines(batch), signal));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every batch written before the call is on disk (one fsync for all of them). */
  flush(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    const next = this.#tail.then(() => this.#sync(signal));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #append(text: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    try {
      const handle = await this.#open();
      this.#dirty = true;
      await handle.appendFile(text, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      // A full disk or a quota may clear; a missing permission or a bad path will not.
      const retryable = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EAGAIN' || code === 'EIO';
      throw new SinkError(`cannot append to ${this.#path}: ${code ?? String(cause)}`, retryable, { cause });
    }
  }

  async #sync(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.#dirty) return;
    try {
      const handle = await this.#open();
      await handle.sync();
      this.#dirty = false;
    } catch (cause) {
      // Never retried: after a failed fsync the kernel may drop the dirty pages and report the next
      // fsync as a success. The stream fails, the checkpoint stays, the next run delivers again.
      throw new SinkError(
        `cannot fsync ${this.#path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
        false,
        {
          cause,
        },
      );
    }
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.#path), { recursive: true }).then(() => open(this.#path, 'a'));
    this.#handle.catch(() => {
      this.#handle = undefined;
    });
    return this.#handle;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    const handle = await this.#handle?.catch(() => undefined);
    await handle?.close();
  }
}
