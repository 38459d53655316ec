/**
 * The walk: from the CLI entry to the checkpoint write, the call stack visits each src/ file once,
 * without returning to one, except leaf utilities (code that calls back into its caller: a retry
 * wrapper, a serialiser). A real `poll` runs in process against the emulator with a SQLite store and
 * a JSONL sink; the JS stack is captured (async frames included) at every checkpoint write, sink write
 * and flush, and each stack, mapped to its src/ files, must not show a file in two runs apart.
 *
 * Known limit: V8's async stack stops where a promise was started without being awaited at once (the
 * group commit runs beside the next fetch, src/core/sweep.ts), so the stack of a page's commit ends at
 * sweep.ts; the stack of the first checkpoint write (at stream open) reaches the CLI entry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { JsonlFileSink } from '../../src/adapters/sinks/jsonl.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { timeMsToId } from '../../src/core/ids.js';
import { main } from '../../src/entrypoints/cli.js';
import { revisits, srcFiles } from '../support/stack-walk.js';

const TOKEN = 'walk-test-token-3f9a1c';
const WORLD = { seed: 5, posts: 300, searchDelayMs: 0, lateArrivalFraction: 0, tokens: [TOKEN] };

describe('the walk from the CLI entry to the checkpoint write', () => {
  let emulator: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator(WORLD);
    dir = await mkdtemp(join(tmpdir(), 'tp-walk-'));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a file met twice in a stack apart (the check itself)', () => {
    expect(revisits(['src/a.ts', 'src/a.ts', 'src/b.ts', 'src/c.ts'])).toEqual([]);
    expect(revisits(['src/a.ts', 'src/b.ts', 'src/a.ts'])).toEqual(['src/a.ts']);
    expect(revisits(['src/a.ts', 'src/core/retry.ts', 'src/a.ts', 'src/b.ts'])).toEqual([]);
  });

  it('visits each src file once on every stack of a real CLI poll', async () => {
    // Prepare: record the stack at each checkpoint write, sink write and flush.
    const stacks: { at: string; files: string[] }[] = [];
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Number.POSITIVE_INFINITY;
    const record = (at: string) => stacks.push({ at, files: srcFiles(new Error(at).stack ?? '') });
    const save = SqliteCheckpointStore.prototype.save;
    const write = JsonlFileSink.prototype.write;
    const flush = JsonlFileSink.prototype.flush;
    const spies = [
      vi.spyOn(SqliteCheckpointStore.prototype, 'save').mockImplementation(function (
        this: SqliteCheckpointStore,
        ...a
      ) {
        record('checkpoint write');
        return save.apply(this, a);
      }),
      vi.spyOn(JsonlFileSink.prototype, 'write').mockImplementation(function (this: JsonlFileSink, ...a) {
        record('sink write');
        return write.apply(this, a);
      }),
      vi.spyOn(JsonlFileSink.prototype, 'flush').mockImplementation(function (this: JsonlFileSink, ...a) {
        record('sink flush');
        return flush.apply(this, a);
      }),
    ];
    const quiet = new Writable({ write: (_c, _e, done) => done() });

    // Act
    let code: number;
    try {
      const flags = {
        '--query': 'coffee OR music',
        '--store': `sqlite:${join(dir, 'state.db')}`,
        '--sink': `jsonl:${join(dir, 'posts.jsonl')}`,
        '--min-interval': '0',
        '--batch-size': '20',
        '--initial': timeMsToId(emulator.now() - 86_400_000),
      };
      const env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url };
      code = await main(['poll', ...Object.entries(flags).flat()], { stdout: quiet, stderr: quiet, env });
    } finally {
      for (const spy of spies) spy.mockRestore();
      Error.stackTraceLimit = limit;
    }

    // Assess
    expect(code).toBe(0);
    const writes = stacks.filter((s) => s.at === 'checkpoint write');
    expect(writes.length).toBeGreaterThan(1);
    expect(stacks.some((s) => s.at === 'sink write')).toBe(true);
    // At least one checkpoint write is seen all the way from the CLI entry.
    expect(writes.some((s) => s.files.at(-1) === 'src/entrypoints/cli.ts')).toBe(true);
    const found = stacks.flatMap((s) =>
      revisits(s.files).map((file) => `${s.at}: ${file} in ${s.files.join(' < ')}`),
    );
    expect(found).toEqual([]);
  });
});
