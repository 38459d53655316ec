import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { ConfigError, CorruptCheckpointError } from '../../src/core/errors.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';

describe('SqliteCheckpointStore (beyond the contract)', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-sqlite-'));
    path = join(dir, 'state.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeRow = (row: Record<string, unknown>): void => {
    const db = new Database(path);
    db.prepare(
      `INSERT INTO checkpoints (stream, since_id, sweep_newest_id, sweep_until_id, sweep_next_token, user_id, recent_ids, schema_version, updated_at, writer)
       VALUES (@stream, @since_id, @sweep_newest_id, @sweep_until_id, NULL, NULL, @recent_ids, @schema_version, 'now', 'test')`,
    ).run({
      sweep_newest_id: null,
      sweep_until_id: null,
      recent_ids: null,
      schema_version: CHECKPOINT_SCHEMA_VERSION,
      ...row,
    });
    db.close();
  };

  it('keeps checkpoints across close and reopen, in WAL mode', async () => {
    const first = new SqliteCheckpointStore({ path });
    const lease = (await first.acquireLease('s', 'a', 1000, 0))!;
    await first.save(
      {
        stream: 's',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: '1578516068309794817',
        sweep: null,
        updatedAt: 'x',
        writer: 'a',
      },
      lease,
    );
    await first.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const second = new SqliteCheckpointStore({ path });
    expect((await second.load('s'))?.sinceId).toBe('1578516068309794817');
    await second.close();
  });

  // Every rule of core's check runs against every store in checkpoint-rules.contract.ts; these are
  // the SQLite row's own encodings.
  it.each([
    [
      'recent_ids text that is not JSON',
      { since_id: '10', recent_ids: '["9",' },
      /recent_ids is not a list of ids/,
    ],
    [
      'recent_ids JSON that is not a list',
      { since_id: '10', recent_ids: '{"9":1}' },
      /recent_ids is not a list of ids/,
    ],
  ])('refuses to load a checkpoint with %s, naming the stream', async (_label, row, message) => {
    new SqliteCheckpointStore({ path }).close();
    writeRow({ stream: 'search:bad', ...row });
    const store = new SqliteCheckpointStore({ path });
    const error = await store.load('search:bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as CorruptCheckpointError).stream).toBe('search:bad');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('"search:bad"');
    await store.close();
  });

  it('round-trips recent_ids (the overlap window) exactly', async () => {
    const store = new SqliteCheckpointStore({ path });
    const lease = (await store.acquireLease('s', 'a', 1000, 0))!;
    const recent_ids = ['9223372036854775807', '1578516068309794817'];
    const base = {
      stream: 's',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sweep: null,
      updatedAt: 'x',
      writer: 'a',
    } as const;
    await store.save({ ...base, sinceId: '1578516068309794817', recentIds: recent_ids }, lease);
    expect((await store.load('s'))?.recentIds).toEqual(recent_ids);
    await store.save({ ...base, sinceId: '1578516068309794817' }, lease);
    expect(await store.load('s')).not.toHaveProperty('recentIds');
    await store.close();
  });

  it('upgrades a version 1 file in place: the fair_lag column is added, checkpoints kept', async () => {
    const db = new Database(path);
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE checkpoints (stream TEXT PRIMARY KEY, since_id TEXT NOT NULL, sweep_newest_id TEXT, sweep_until_id TEXT,
        sweep_next_token TEXT, user_id TEXT, recent_ids TEXT, schema_version INTEGER NOT NULL, updated_at TEXT NOT NULL,
        writer TEXT NOT NULL);
      INSERT INTO checkpoints (stream, since_id, schema_version, updated_at, writer)
        VALUES ('s', '1578516068309794817', 2, '2026-11-01T00:00:00.000Z', 'old');`);
    db.close();
    const store = new SqliteCheckpointStore({ path });
    expect(await store.load('s')).toMatchObject({ sinceId: '1578516068309794817', writer: 'old' });
    expect(await store.load('s')).not.toHaveProperty('fairLag');
    const lease = await store.acquireLease('s', 'exec', 60_000, 0);
    await store.save({ ...(await store.load('s'))!, fairLag: 4 }, lease!);
    expect((await store.load('s'))?.fairLag).toBe(4);
    await store.close();
    const check = new Database(path);
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({
      value: '2',
    });
    check.close();
  });

  it('refuses a file written by a future version of the store', async () => {
    new SqliteCheckpointStore({ path }).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '7' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => new SqliteCheckpointStore({ path })).toThrow(ConfigError);
    expect(() => new SqliteCheckpointStore({ path })).toThrow(/schema version 7/);
  });

  it('lets only one of two connections on the same file hold a stream', async () => {
    const a = new SqliteCheckpointStore({ path });
    const b = new SqliteCheckpointStore({ path });
    const [la, lb] = await Promise.all([
      a.acquireLease('s', 'exec-a', 60_000, 0),
      b.acquireLease('s', 'exec-b', 60_000, 0),
    ]);
    expect([la, lb].filter((l) => l !== null)).toHaveLength(1);
    await a.close();
    await b.close();
  });
});
