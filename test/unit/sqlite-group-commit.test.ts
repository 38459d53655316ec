import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDb } from '../../src/adapters/stores/sqlite-db.js';
import { availableSqliteDrivers } from '../../src/adapters/stores/sqlite-driver.js';

describe.each(availableSqliteDrivers())('SqliteDb.grouped on %s (group commit)', (driver) => {
  let dir: string;
  let db: SqliteDb;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-group-'));
    db = SqliteDb.open(join(dir, 'state.db'), { driver });
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    // An empty WAL: every commit from here on appends at least one frame to it.
    db.stmt('PRAGMA wal_checkpoint(TRUNCATE)').get();
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The frames in the WAL: one commit of the table's one page adds one, sixteen commits sixteen. */
  const walFrames = () => (db.stmt('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number }).log;
  const insert = (k: string, v: number) => () => db.stmt('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v);
  const rows = () =>
    (db.stmt('SELECT k, v FROM t ORDER BY k').all() as { k: string; v: number }[]).map(
      (r) => `${r.k}=${r.v}`,
    );

  it('commits the calls of one turn of the event loop in one transaction', async () => {
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => db.grouped(insert(`k${String(i).padStart(2, '0')}`, i))),
    );
    expect(rows()).toHaveLength(16);
    const grouped = walFrames();
    db.stmt('PRAGMA wal_checkpoint(TRUNCATE)').get();
    // The same writes one transaction each (what `immediate` does): a frame each.
    for (let i = 0; i < 16; i++)
      db.immediate(() => db.stmt('UPDATE t SET v = v + 1 WHERE k = ?').run(`k${String(i).padStart(2, '0')}`));
    const separate = walFrames();
    expect(separate).toBeGreaterThanOrEqual(16);
    expect(grouped).toBeLessThanOrEqual(2);
  });

  it('rolls back and rejects only the call that throws; the others commit, in call order', async () => {
    const results = await Promise.allSettled([
      db.grouped(insert('a', 1)),
      db.grouped(() => {
        insert('b', 2)();
        throw new Error('refused');
      }),
      db.grouped(() => db.stmt('UPDATE t SET v = v * 10 WHERE k = ?').run('a')),
      db.grouped(() => (db.stmt('SELECT v FROM t WHERE k = ?').get('a') as { v: number }).v),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' });
    expect((results[3] as PromiseFulfilledResult<number>).value).toBe(10);
    expect(rows()).toEqual(['a=10']);
  });

  it('rejects every call of the group when its transaction cannot commit', async () => {
    const other = SqliteDb.open(join(dir, 'state.db'), { driver, busyTimeoutMs: 0 });
    try {
      // The other connection holds the write lock: BEGIN IMMEDIATE fails at once (busy_timeout 0).
      const blocked = SqliteDb.open(join(dir, 'state.db'), { driver, busyTimeoutMs: 0 });
      other.exec('BEGIN IMMEDIATE');
      const results = await Promise.allSettled([
        blocked.grouped(insert('x', 1)),
        blocked.grouped(insert('y', 2)),
      ]);
      other.exec('ROLLBACK');
      blocked.close();
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(rows()).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('commits calls still waiting when the file is closed, and refuses calls after', async () => {
    const path = join(dir, 'state.db');
    const pending = db.grouped(insert('late', 7));
    db.close();
    await expect(pending).resolves.toBeDefined();
    await expect(db.grouped(insert('after', 8))).rejects.toThrow(/closed/);
    db = SqliteDb.open(path, { driver });
    expect(rows()).toEqual(['late=7']);
  });
});
