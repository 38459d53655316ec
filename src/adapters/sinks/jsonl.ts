import {
  closeSync,
  fstatSync,
  fsync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { lockFile } from './file-lock.js';
import { formatBatchLines } from './jsonl-lines.js';

export interface JsonlFileSinkOptions {
  /** The file to append to; it and its directory are created. */
  readonly path: string;
  /**
   * How long a flush waits for another writer's lock on the file before it fails (retryable).
   * @default 20000
   */
  readonly lockWaitMs?: number;
}

/**
 * Appends posts to a JSONL file (format: jsonl-lines.ts). `write` formats a batch and holds its lines;
 * `flush` appends everything held in one write and fsyncs the file. The poller flushes once per page
 * and moves the checkpoint only after that, so the checkpoint never moves past posts that a crash of
 * the process or of the machine could still take away; what was held and not flushed is simply
 * delivered again by the next run.
 *
 * Several writers (processes, streams, overlapping cron runs) may share one file. Each flush holds an
 * exclusive advisory lock on the file (`<path>.lock`, file-lock.ts) for its append and fsync:
 *
 * ```
 * lock ─ open(path, append) ─ size := fstat ─ repair a torn last line ─ append ─ fsync ─ close ─ unlock
 *                                                       failed append: truncate(size), still locked ┘
 * ```
 *
 * - A page's lines land whole and contiguous: no other writer appends while the lock is held.
 * - A failed append is cut back to the size measured under the lock just before it, so it removes
 *   only its own bytes, never lines another writer put there.
 * - The file is opened for each flush (append mode, never a remembered offset): a file rotated or
 *   truncated between flushes is simply appended to (or created again), with no NUL padding.
 * - A torn last line (a writer killed in the middle of its append, which never checkpointed it) is cut
 *   off by the next flush, under the lock, before it appends.
 *
 * A reader may therefore see, at most, one partial last line (an append in progress or a writer that
 * died mid-append); every line before the last is whole.
 *
 * One sink serves every stream of a run, so a flush appends the lines of every stream written before it.
 * A flush that fails after its append (the fsync, or the lock lost meanwhile) leaves those lines in an
 * unknown state: every later flush of this sink fails too (non-retryable), so no stream moves its
 * checkpoint past lines another stream's failed flush took. The next run opens a new sink and
 * delivers again from the checkpoints.
 */
export class JsonlFileSink implements Sink {
  readonly #path: string;
  readonly #lockWaitMs: number;
  /** Flushes are chained: each one appends what was held when it runs, in call order. */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  /** The file's directory was made by an earlier append (a failed append makes it again next time). */
  #dirMade = false;
  /**
   * Formatted lines of the batches written since the last flush, in call order, already UTF-8: a
   * Buffer's bytes live outside the V8 heap, so the pages a group commit holds are not copied by
   * every young-generation collection until their flush (bench/README.md, drain profile).
   */
  #held: Buffer[] = [];
  /** Set once a flush failed after its append: the lines it took may not be on disk. */
  #broken: SinkError | undefined;

  constructor(options: JsonlFileSinkOptions) {
    this.#path = options.path;
    this.#lockWaitMs = options.lockWaitMs ?? 20_000;
  }

  write(batch: Batch): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    this.#held.push(Buffer.from(formatBatchLines(batch), 'utf8'));
    return Promise.resolve();
  }

  /** Resolves once every batch written before the call is in the file and fsynced (one write, one fsync). */
  flush(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`jsonl sink ${this.#path} is closed`, false));
    return this.#chain(signal);
  }

  #chain(signal?: AbortSignal): Promise<void> {
    const next = this.#tail.then(() => this.#flushHeld(signal));
    // The chain only orders flushes; each caller gets (and must handle) its own flush's failure.
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #flushHeld(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    // Before the empty check: lines this caller wrote may have been taken by the flush that failed.
    if (this.#broken !== undefined) throw this.#broken;
    if (this.#held.length === 0) return;
    // Take exactly the lines held now: another stream of the run may write while this flush runs, and
    // its lines belong to its own flush (clearing #held after the awaits below would drop them).
    const taken = this.#held;
    this.#held = [];
    let appended = false;
    try {
      await this.#appendTaken(taken.length === 1 ? (taken[0] as Buffer) : Buffer.concat(taken), () => {
        appended = true;
      });
    } catch (error) {
      // Not in the file: still owed, in order, ahead of anything written since (a retry appends them).
      if (!appended) this.#held = [...taken, ...this.#held];
      // In the file but not known to be durable (after a failed fsync the kernel may report the next
      // one as a success): no later flush of this sink may say otherwise.
      else
        this.#broken = new SinkError(
          `${this.#path}: an earlier flush failed after appending (${messageOf(error)}); lines it took may not be on disk`,
          false,
          { cause: error },
        );
      this.#dirMade = false; // the directory may have gone: the retry makes it again
      throw error;
    }
  }

  /**
   * Appends `text` under the file lock and fsyncs; `onAppended` once it is in the file. On a regular
   * file the steps around the fsync (stat, open, fstat, the last byte, the write, close) are
   * synchronous system calls of a few microseconds each: through the thread pool each cost a round
   * trip and a promise, which was most of a commit's CPU (bench/README.md, "Drain"). The fsync, the one
   * slow step, still runs in the thread pool while this process goes on.
   */
  async #appendTaken(text: Buffer, onAppended: () => void): Promise<void> {
    // Once per sink, not per page: a page of a hundred streams' run is often a few posts, and this
    // call was a measurable part of its append (bench/README.md, "Fairness").
    if (!this.#dirMade) {
      try {
        mkdirSync(dirname(this.#path), { recursive: true });
      } catch (cause) {
        throw fileError('cannot create the directory of', this.#path, cause);
      }
      this.#dirMade = true;
    }
    // A device or a pipe (/dev/stdout, a FIFO) has no size to restore and no lines to share: no lock,
    // and written asynchronously (a full pipe would block a synchronous write).
    let regular = true; // not there yet (or not readable): opened as a regular file below, errors named there
    try {
      regular = statSync(this.#path, { throwIfNoEntry: false })?.isFile() ?? true;
    } catch {
      // open reports it with the path
    }
    if (!regular) return this.#appendToDevice(text, onAppended);
    const unlock = await lockFile(this.#path, this.#lockWaitMs).catch((cause: unknown) => {
      throw new SinkError(`cannot lock ${this.#path}: ${messageOf(cause)}`, true, { cause });
    });
    let fd: number | undefined;
    try {
      try {
        fd = openSync(this.#path, 'a+');
      } catch (cause) {
        throw fileError('cannot open', this.#path, cause);
      }
      appendLocked(fd, this.#path, text);
      // In the file now (a process crash keeps it): held no more, even if the fsync fails below.
      onAppended();
      await fsyncFd(fd).catch((cause: unknown) => {
        throw fsyncError(this.#path, cause);
      });
    } finally {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // after fsync (or its failure) a close error adds nothing
        }
      }
      await unlock(); // throws when the lock was lost while held: the append may have interleaved
    }
  }

  /** Appends to a device or a pipe: no lock, no size, no torn-line repair. */
  async #appendToDevice(text: Buffer, onAppended: () => void): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.#path, 'a+').catch((cause: unknown) => {
        throw fileError('cannot open', this.#path, cause);
      });
      await handle.appendFile(text).catch((cause: unknown) => {
        throw fileError('cannot append to', this.#path, cause);
      });
      onAppended();
      await handle.sync().catch((cause: unknown) => {
        throw fsyncError(this.#path, cause);
      });
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** Flushes what is still held, then stops accepting batches. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain();
  }
}

/** How far back a torn last line is looked for; a longer one is ended with a newline instead. */
const TORN_LINE_SCAN_BYTES = 16 * 1024 * 1024;

/**
 * Appends `text` at the end of the locked file `fd`; on failure cuts the file back to where it began.
 * Under the lock: `size` is this append's start, so only its own bytes are removed. If the truncate
 * fails too, the torn line it leaves is cut by the next flush (see repairTornLine).
 */
function appendLocked(fd: number, path: string, text: Buffer): void {
  let size = fstatSync(fd).size;
  try {
    size = repairTornLine(fd, size);
    for (let off = 0; off < text.length; ) off += writeSync(fd, text, off, text.length - off);
  } catch (cause) {
    try {
      ftruncateSync(fd, size);
    } catch {
      // the next flush cuts the torn line
    }
    throw fileError('cannot append to', path, cause);
  }
}

/**
 * A failed fsync, never retried: after one the kernel may drop the dirty pages and report the next
 * fsync as a success. The stream fails, the checkpoint stays, the next run delivers again; every later
 * flush of the sink fails too (`#broken`), since the failed one took other streams' lines as well.
 */
function fsyncError(path: string, cause: unknown): SinkError {
  const code = (cause as NodeJS.ErrnoException).code;
  return new SinkError(`cannot fsync ${path}: ${code ?? String(cause)}`, false, { cause });
}

/** fsync of `fd` in the thread pool. */
function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * A file whose last byte is not a newline ends with a line torn by a writer that died mid-append (it
 * never checkpointed it, so its posts come again). Cuts that line off and returns the new size.
 */
function repairTornLine(fd: number, size: number): number {
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return size; // the usual case: the file ends with a whole line
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0 && size - end < TORN_LINE_SCAN_BYTES) {
    const start = Math.max(0, end - chunk.length);
    const bytesRead = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) {
      const keep = start + at + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return keep;
    }
    end = start;
  }
  if (end === 0) {
    ftruncateSync(fd, 0); // a single torn line and nothing else
    return 0;
  }
  writeSync(fd, '\n'); // beyond the scan: end the line so the next one starts clean
  return size + 1;
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A file-system failure as a SinkError: a full disk or a quota may clear; a bad path or EFBIG will not. */
function fileError(what: string, path: string, cause: unknown): SinkError {
  const code = (cause as NodeJS.ErrnoException).code;
  const retryable = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EAGAIN' || code === 'EIO';
  return new SinkError(`${what} ${path}: ${code ?? messageOf(cause)}`, retryable, { cause });
}
