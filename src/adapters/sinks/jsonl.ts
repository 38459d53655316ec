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
 * Appends posts to a JSONL file (format: jsonl-lines.ts). `write` formats a batch and holds its lines;
 * `flush` appends everything held in one write and fsyncs the file. The poller flushes once per page
 * and moves the checkpoint only after that, so the checkpoint never moves past posts that a crash of
 * the process or of the machine could still take away; what was held and not flushed is simply
 * delivered again by the next run. A failed append is cut back off the file, so that no half line
 * stays in it; `close` flushes what is still held.
 */
export class JsonlFileSink implements Sink {
  readonly #path: string;
  #handle: Promise<FileHandle> | undefined;
  /** Flushes are chained: each one appends what was held when it runs, in call order. */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  /** Formatted lines of the batches written since the last flush, in call order. */
  #held: string[] = [];
  /** The file's size after the last complete append (where a failed append is truncated back to). */
  #size: number | undefined;

  constructor(options: JsonlFileSinkOptions) {
    this.#path = options.path;
  }

  write(batch: Batch): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    this.#held.push(formatBatchLines(batch));
    return Promise.resolve();
  }

  /** Resolves once every batch written before the call is in the file and fsynced (one write, one fsync). */
  flush(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    return this.#chain(signal);
  }

  #chain(signal?: AbortSignal): Promise<void> {
    const next = this.#tail.then(() => this.#flushHeld(signal));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #flushHeld(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#held.length === 0) return;
    // Take exactly the lines held now: another stream of the run may write while this append runs,
    // and its lines belong to its own flush (clearing #held after the await would drop them).
    const taken = this.#held;
    this.#held = [];
    const text = Buffer.from(taken.join(''), 'utf8');
    let handle: FileHandle;
    try {
      handle = await this.#open();
      this.#size ??= (await handle.stat()).size;
      await handle.appendFile(text);
    } catch (cause) {
      this.#held = [...taken, ...this.#held]; // still owed, in order: a retried flush appends them
      await this.#cutBack();
      const code = (cause as NodeJS.ErrnoException).code;
      // A full disk or a quota may clear; a missing permission or a bad path will not.
      const retryable = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EAGAIN' || code === 'EIO';
      throw new SinkError(`cannot append to ${this.#path}: ${code ?? String(cause)}`, retryable, { cause });
    }
    // In the file now (a process crash keeps it): held no more, even if the fsync fails below.
    this.#size += text.length;
    try {
      await handle.sync();
    } catch (cause) {
      // Never retried: after a failed fsync the kernel may drop the dirty pages and report the next
      // fsync as a success. The stream fails, the checkpoint stays, the next run delivers again.
      const code = (cause as NodeJS.ErrnoException).code;
      throw new SinkError(`cannot fsync ${this.#path}: ${code ?? String(cause)}`, false, { cause });
    }
  }

  /** After a failed append: drops whatever part of it reached the file (best effort). */
  async #cutBack(): Promise<void> {
    if (this.#size === undefined) return;
    const handle = await this.#handle?.catch(() => undefined);
    await handle?.truncate(this.#size).catch(() => undefined);
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.#path), { recursive: true }).then(() => open(this.#path, 'a'));
    this.#handle.catch(() => {
      this.#handle = undefined;
    });
    return this.#handle;
  }

  /** Flushes what is still held, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#chain();
    } finally {
      const handle = await this.#handle?.catch(() => undefined);
      await handle?.close();
    }
  }
}
