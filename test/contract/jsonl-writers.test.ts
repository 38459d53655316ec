import { appendFile, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlFileSink } from '../../src/adapters/sinks/jsonl.js';
import { batch } from '../support/jsonl-batch.js';

/** Every line of the file parsed (throws on a torn or NUL-padded line). */
async function lines(path: string): Promise<{ id: string; text: string }[]> {
  const text = await readFile(path, 'utf8');
  expect(text.includes('\0')).toBe(false);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { id: string; text: string });
}

describe('JsonlFileSink with several writers and a file changed underneath', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-w-'));
    path = join(dir, 'posts.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each page of two concurrent writers whole and contiguous', async () => {
    const a = new JsonlFileSink({ path });
    const b = new JsonlFileSink({ path });
    const page = (who: string, n: number) => Array.from({ length: 50 }, (_, i) => `${who}${n}-${i}`);
    const pages = 20;
    const run = async (sink: JsonlFileSink, who: string) => {
      for (let n = 0; n < pages; n++) {
        const ids = page(who, n);
        await sink.write(batch(who, ids.slice(0, 25)));
        await sink.write(batch(who, ids.slice(25)));
        await sink.flush();
      }
    };
    await Promise.all([run(a, 'a'), run(b, 'b')]);
    await Promise.all([a.close(), b.close()]);
    const ids = (await lines(path)).map((l) => l.id);
    expect(ids).toHaveLength(2 * pages * 50);
    // The file is a sequence of whole pages: every run of 50 lines is exactly one page, in order.
    for (let at = 0; at < ids.length; at += 50) {
      const who = (ids[at] as string)[0] as string;
      const n = Number((ids[at] as string).slice(1).split('-')[0]);
      expect(ids.slice(at, at + 50)).toEqual(page(who, n));
    }
  });

  it('appends after a truncation between flushes: no NUL padding, no lost line', async () => {
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('s', ['1', '2', '3']));
    await sink.flush();
    await truncate(path, 0);
    await sink.write(batch('s', ['4']));
    await sink.flush();
    await sink.close();
    expect((await lines(path)).map((l) => l.id)).toEqual(['4']);
  });

  it('writes to a new file once the old one was rotated away', async () => {
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('s', ['1']));
    await sink.flush();
    await rename(path, `${path}.1`);
    await sink.write(batch('s', ['2']));
    await sink.flush();
    await sink.close();
    expect((await lines(`${path}.1`)).map((l) => l.id)).toEqual(['1']);
    expect((await lines(path)).map((l) => l.id)).toEqual(['2']);
  });

  it('makes the directory once, and again on the retry after it was removed between flushes', async () => {
    const nested = join(dir, 'out', 'posts.jsonl');
    const sink = new JsonlFileSink({ path: nested, lockWaitMs: 200 });
    await sink.write(batch('s', ['1']));
    await sink.flush();
    await rm(join(dir, 'out'), { recursive: true });
    await sink.write(batch('s', ['2']));
    // The directory is made once per sink: this flush finds it gone and fails, keeping its lines.
    await expect(sink.flush()).rejects.toMatchObject({ name: 'SinkError', retryable: true });
    await sink.flush(); // the retry makes the directory again
    await sink.close();
    expect((await lines(nested)).map((l) => l.id)).toEqual(['2']);
  });

  it('cuts off a torn last line left by a writer that died mid-append before appending', async () => {
    await writeFile(path, '{"id":"1","text":"x"}\n');
    await appendFile(path, '{"id":"2","te'); // a writer killed in the middle of its line
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('s', ['3']));
    await sink.close();
    expect((await lines(path)).map((l) => l.id)).toEqual(['1', '3']);
  });

  it('removes a file that holds nothing but a torn line', async () => {
    await writeFile(path, '{"id":"2","te');
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('s', ['3']));
    await sink.close();
    expect((await lines(path)).map((l) => l.id)).toEqual(['3']);
  });

  it('waits for a lock held by another writer, then appends', async () => {
    const { lockFile } = await import('../../src/adapters/sinks/file-lock.js');
    await writeFile(path, '');
    const unlock = await lockFile(path, 1_000);
    const sink = new JsonlFileSink({ path });
    await sink.write(batch('s', ['1']));
    const flushed = sink.flush();
    let done = false;
    void flushed.then(() => {
      done = true;
    });
    // The holder appends while it holds the lock; the waiting flush lands after it.
    await appendFile(path, '{"id":"0","text":"holder"}\n');
    expect(done).toBe(false);
    await unlock();
    await flushed;
    await sink.close();
    expect((await lines(path)).map((l) => l.id)).toEqual(['0', '1']);
  });

  it('fails a flush that cannot get the lock in time, as a retryable sink error', async () => {
    const { lockFile } = await import('../../src/adapters/sinks/file-lock.js');
    await writeFile(path, '');
    const unlock = await lockFile(path, 1_000);
    const sink = new JsonlFileSink({ path, lockWaitMs: 200 });
    await sink.write(batch('s', ['1']));
    await expect(sink.flush()).rejects.toMatchObject({ code: 'sink', retryable: true });
    await unlock();
    await sink.close(); // still held, so close appends it
    expect((await lines(path)).map((l) => l.id)).toEqual(['1']);
  });
});
