/**
 * The SQLite spend ledger's schema 2 (remembered ids appended a page at a time): a version-1 file
 * (ids comma-separated in spend_reads.ids) opens in place and keeps what it remembered, a row a
 * version-1 process writes afterwards is honoured, older pages are trimmed, and a newer file is refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SPEND_LEDGER_SCHEMA_VERSION,
  SqliteSpendLedger,
} from '../../src/adapters/stores/sqlite-spend-ledger.js';
import { ConfigError } from '../../src/core/errors.js';
import { READ_IDS_KEPT } from '../../src/core/spend.js';
import { openRateBudgetStore } from '../../src/entrypoints/rate-budget.js';
import { openSpendLedger } from '../../src/entrypoints/spend-ledger.js';

/** The version-1 tables, as src/adapters/stores/sqlite-spend-ledger.ts created them before schema 2. */
const V1_SCHEMA = `
CREATE TABLE spend_days (day TEXT NOT NULL, stream TEXT NOT NULL, posts INTEGER NOT NULL, PRIMARY KEY (day, stream));
CREATE TABLE spend_reads (stream TEXT PRIMARY KEY, day TEXT NOT NULL, ids TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE spend_flags (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

const DAY = '2026-12-01';
const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-ledger-schema-'));
  path = join(dir, 'state.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A version-1 ledger file: stream `a` read ids 1..1000 today (1,000 posts billed). */
function writeV1File(): void {
  const db = new Database(path);
  db.exec(V1_SCHEMA);
  db.prepare('INSERT INTO spend_reads VALUES (?, ?, ?, ?)').run('a', DAY, ids(1, 1000).join(','), 7);
  db.prepare('INSERT INTO spend_days VALUES (?, ?, ?)').run(DAY, 'a', 1000);
  db.close();
}

describe('SQLite spend ledger schema', () => {
  it('opens a version-1 file in place: remembered ids and totals kept, ids moved out of spend_reads', async () => {
    writeV1File();
    const ledger = new SqliteSpendLedger({ path });
    const result = await ledger.recordRead('a', ids(995, 10), DAY);
    expect(result).toEqual({ billed: 4, dayPosts: 1004, monthPosts: 1004 });
    await ledger.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare("SELECT ids FROM spend_reads WHERE stream = 'a'").get()).toEqual({ ids: '' });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'spend_schema_version'").get()).toEqual({
      value: String(SPEND_LEDGER_SCHEMA_VERSION),
    });
    db.close();
  });

  it('honours a row a version-1 process wrote after the file was migrated', async () => {
    writeV1File();
    const ledger = new SqliteSpendLedger({ path });
    await ledger.recordRead('a', ids(1001, 5), DAY);
    const v1 = new Database(path);
    v1.prepare("UPDATE spend_reads SET ids = '5000,5001', version = version + 1 WHERE stream = 'a'").run();
    v1.close();
    expect((await ledger.recordRead('a', ['5000', '5001', '5002'], DAY)).billed).toBe(1);
    await ledger.close();
  });

  it(`remembers exactly the newest ${READ_IDS_KEPT} ids across pages read through another handle, and trims older pages (bounded)`, async () => {
    const ledger = new SqliteSpendLedger({ path });
    const other = new SqliteSpendLedger({ path });
    for (let page = 0; page < 25; page++) await ledger.recordRead('a', ids(1 + page * 100, 100), DAY);
    // The newest 1,000 of ids 1..2500 are 1501..2500: of 1490..1509 only 1490..1500 are billed.
    expect((await other.recordRead('a', ids(1490, 20), DAY)).billed).toBe(11);
    await ledger.close();
    await other.close();
    const db = new Database(path, { readonly: true });
    const { n } = db.prepare("SELECT count(*) AS n FROM spend_read_pages WHERE stream = 'a'").get() as {
      n: number;
    };
    // Trimmed each time the count passes a multiple of 1,000: at most two thousands of pages stay.
    expect(n).toBeLessThanOrEqual((2 * READ_IDS_KEPT) / 100 + 1);
    expect(n).toBeGreaterThanOrEqual(READ_IDS_KEPT / 100);
    db.close();
  });

  it('refuses a file written by a newer ledger schema, naming --store', async () => {
    new SqliteSpendLedger({ path }).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'spend_schema_version'").run(
      String(SPEND_LEDGER_SCHEMA_VERSION + 1),
    );
    db.close();
    let error: unknown;
    try {
      new SqliteSpendLedger({ path });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('--store');
    expect((error as ConfigError).message).toContain('spend ledger schema version');
  });

  it('the CLI opening a newer ledger says so once, naming --store (the adapter error is not wrapped again)', async () => {
    new SqliteSpendLedger({ path }).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'spend_schema_version'").run(
      String(SPEND_LEDGER_SCHEMA_VERSION + 1),
    );
    db.close();
    const error = await openSpendLedger({ kind: 'sqlite', path }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('spend ledger schema version');
    expect((error as ConfigError).message).not.toContain('cannot open');
  });

  it('every adapter on the file reports a file that is not a database as a bad --store', async () => {
    await writeFile(path, 'not a database, just text '.repeat(200));
    for (const open of [
      () => openSpendLedger({ kind: 'sqlite', path }),
      () => openRateBudgetStore({ kind: 'sqlite', path }),
    ]) {
      const error = await open().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe('--store');
      expect((error as ConfigError).message).toContain(
        `invalid --store: cannot open ${path}: file is not a database`,
      );
    }
  });
});
