import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryRunHistory } from '../../src/adapters/stores/run-history-memory.js';
import { DEFAULT_MAX_RUNS } from '../../src/adapters/stores/run-history-query.js';
import { SqliteRunHistory } from '../../src/adapters/stores/run-history-sqlite.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { describeRunHistoryContract, run } from './run-history.contract.js';

describeRunHistoryContract('sqlite (real file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tp-history-'));
  const history = new SqliteRunHistory({ path: join(dir, 'nested', 'state.db') });
  return {
    history,
    async cleanup() {
      await history.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeRunHistoryContract('memory', async () => {
  const history = new MemoryRunHistory();
  return { history, cleanup: () => history.close() };
});

describe('the run history stays within its bound', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-history-bound-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['sqlite', (maxRuns: number) => new SqliteRunHistory({ path: join(dir, 'state.db'), maxRuns })],
    ['memory', (maxRuns: number) => new MemoryRunHistory({ maxRuns })],
  ])('%s keeps the newest maxRuns runs and drops the oldest', async (_name, make) => {
    const history = make(5);
    for (let i = 0; i < 12; i++) await history.record(run(i));
    const runs = await history.list();
    expect(runs.map((r) => r.correlation_id)).toEqual(['exec-7', 'exec-8', 'exec-9', 'exec-10', 'exec-11']);
    await history.close();
  });

  it('keeps the last 10,000 runs in SQLite by default, and no more', async () => {
    expect(DEFAULT_MAX_RUNS).toBe(10_000);
    const history = new SqliteRunHistory({ path: join(dir, 'state.db') });
    for (let i = 0; i < DEFAULT_MAX_RUNS + 25; i++) await history.record(run(i));
    expect(history.count()).toBe(10_000);
    const runs = await history.list({ limit: 1 });
    expect(runs[0]?.correlation_id).toBe(`exec-${DEFAULT_MAX_RUNS + 24}`);
    const oldest = (await history.list())[0];
    expect(oldest?.correlation_id).toBe('exec-25');
    await history.close();
  });
});

describe('SqliteRunHistory beside the checkpoints', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-history-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shares the checkpoint file without disturbing the checkpoints', async () => {
    const path = join(dir, 'state.db');
    const store = new SqliteCheckpointStore({ path });
    const history = new SqliteRunHistory({ path });
    const lease = (await store.acquireLease('a', 'exec-1', 60_000, 0))!;
    const cp = {
      stream: 'a',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId: '1578516068309794817',
      sweep: null,
      updatedAt: '2027-01-15T08:00:00.000Z',
      writer: 'exec-1',
    } as const;
    await store.save(cp, lease);
    await history.record(run(0));
    expect(await store.load('a')).toEqual(cp);
    expect(await store.list()).toHaveLength(1);
    await store.close();
    await history.close();
    const reopened = new SqliteCheckpointStore({ path });
    expect(await reopened.load('a')).toEqual(cp);
    await reopened.close();
  });

  it('read-only: a file from before the history is an empty history, and nothing is created', async () => {
    const path = join(dir, 'state.db');
    await new SqliteCheckpointStore({ path }).close();
    const history = new SqliteRunHistory({ path, readonly: true });
    expect(await history.list()).toEqual([]);
    await expect(history.record(run(0))).rejects.toThrow(/read-only/);
    await history.close();
    expect(() => new SqliteRunHistory({ path: join(dir, 'missing.db'), readonly: true })).toThrow();
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });
});
