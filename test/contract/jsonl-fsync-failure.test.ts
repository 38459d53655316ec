/**
 * A failed fsync on the JSONL sink that every stream of a run shares. A flush appends the lines of
 * every stream written before it; when its fsync fails, the lines of another stream it took are in the
 * file but not known to be on disk (the kernel may report the next fsync as a success), so that
 * stream's own flush must not succeed on an empty buffer and let its checkpoint move.
 *
 * A real fsync failure cannot be produced on this machine (no faulty device, no FUSE): node:fs's
 * `fsync` is replaced for the file named in `failFsyncOf`, everything else is the real file system.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batch } from '../support/jsonl-batch.js';

const failing = vi.hoisted(() => ({ fds: new Set<number>(), failNext: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsync: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      if (failing.failNext > 0) {
        failing.failNext--;
        failing.fds.add(fd);
        const err: NodeJS.ErrnoException = new Error('EIO: i/o error, fsync');
        err.code = 'EIO';
        setImmediate(() => callback(err));
        return;
      }
      fs.fsync(fd, callback);
    },
  };
});

const { JsonlFileSink } = await import('../../src/adapters/sinks/jsonl.js');

describe('JsonlFileSink after a failed fsync', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-fsync-'));
    path = join(dir, 'posts.jsonl');
    failing.failNext = 0;
    failing.fds.clear();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fails every later flush: another stream's lines taken by the failed one are not acknowledged", async () => {
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('a', ['1', '2']));
    await sink.write(batch('b', ['3'])); // stream b's page, taken by stream a's flush below
    failing.failNext = 1;
    await expect(sink.flush()).rejects.toThrow(/cannot fsync .*EIO/);
    expect(failing.fds.size).toBe(1); // the real path was taken up to the fsync
    // In the file (appended before the fsync), but not known to be durable.
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
    // Stream b's commit: nothing is held any more, and still the flush must fail.
    await expect(sink.flush()).rejects.toThrow(/earlier flush failed after appending/);
    // Later pages too (the fsync would now succeed: that is the danger).
    await sink.write(batch('b', ['4']));
    await expect(sink.flush()).rejects.toThrow(/earlier flush failed after appending/);
    await expect(sink.close()).rejects.toThrow(/earlier flush failed after appending/);
  });

  it('a new sink on the same file (the next run) appends and fsyncs again', async () => {
    const first = new JsonlFileSink({ path });
    await first.write(batch('a', ['1']));
    failing.failNext = 1;
    await expect(first.flush()).rejects.toThrow(/cannot fsync/);
    const next = new JsonlFileSink({ path });
    await next.write(batch('a', ['1'])); // delivered again from the checkpoint
    await next.flush();
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
