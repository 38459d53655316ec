/**
 * SpendLedger in the CLI's SQLite file, next to the checkpoints (its own connection, same WAL file),
 * so that every process polling from one store shares the budget and the credits flag.
 *
 * | table           | row                                 | written by                                  |
 * |-----------------|-------------------------------------|---------------------------------------------|
 * | spend_days      | (day, stream) -> posts              | recordRead: + billed, in one transaction     |
 * | spend_reads     | stream -> (day, version, id_count)  | recordRead: the stream's reads of that day  |
 * | spend_read_pages| (stream, end_count) -> ids          | recordRead: the page's new ids; older pages trimmed |
 * | spend_flags     | 'credits_depleted_at'               | setCreditsDepleted                           |
 *
 * The remembered ids are appended a page at a time: a page inserts one row with its own new ids
 * (comma-separated; `end_count` = the stream's `id_count` after it) and deletes the rows wholly older
 * than the newest READ_IDS_KEPT ids, so its cost follows the page, not the 1,000 ids kept. They are
 * cached per connection with the row's version: a page re-reads them only when another connection
 * wrote the row since.
 * Ledger schema 2 (`spend_schema_version` in `meta`). Version 1 kept the ids comma-separated in
 * `spend_reads.ids`, rewritten whole (~19 KB) by every page; opening moves them into the ring and
 * leaves `ids` empty. A row whose `ids` is not empty was written by a version-1 process and is taken
 * as the newest state of its stream (moved into the ring again).
 */
import { ConfigError } from '../../core/errors.js';
import type {
  RecordedRead,
  SpendLedger,
  SpendTotals,
  StreamDaySpend,
} from '../../core/ports/spend-ledger.js';
import { monthOf, READ_IDS_KEPT } from '../../core/spend.js';
import { SqliteDb } from './sqlite-db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend_days (day TEXT NOT NULL, stream TEXT NOT NULL, posts INTEGER NOT NULL,
  PRIMARY KEY (day, stream));
CREATE TABLE IF NOT EXISTS spend_reads (stream TEXT PRIMARY KEY, day TEXT NOT NULL, ids TEXT NOT NULL,
  version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS spend_read_pages (stream TEXT NOT NULL, end_count INTEGER NOT NULL,
  ids TEXT NOT NULL, PRIMARY KEY (stream, end_count));
CREATE TABLE IF NOT EXISTS spend_flags (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

const INSERT_PAGE = 'INSERT INTO spend_read_pages (stream, end_count, ids) VALUES (?, ?, ?)';

/** The ledger's schema version, `spend_schema_version` in `meta` (the store's own is `schema_version`). */
export const SPEND_LEDGER_SCHEMA_VERSION = 2;

/** One connection's view of a stream's reads that day: `count` ids so far, the newest kept in `ids` and `seen`. */
interface Reads {
  version: number;
  count: number;
  ids: string[];
  seen: Set<string>;
}

const FLAG = 'credits_depleted_at';

export interface SqliteSpendLedgerOptions {
  /** The store's database file (the same as the checkpoints'). */
  readonly path: string;
  /** @default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * Read-only (for `status`): the file must exist, nothing is created; a store without the spend
   * tables reads as no spend. @default false
   */
  readonly readonly?: boolean;
}

/** SpendLedger on the store's SQLite library (sqlite-driver.ts); each recordRead is one `BEGIN IMMEDIATE` transaction. */
export class SqliteSpendLedger implements SpendLedger {
  readonly #db: SqliteDb;
  /** This connection's view of each stream's reads, valid while the row's version matches. */
  readonly #reads = new Map<string, Reads>();

  readonly #empty: boolean;

  constructor(options: SqliteSpendLedgerOptions) {
    // Read-only the way the checkpoint store opens it: nothing next to the file changes.
    this.#db = SqliteDb.open(options.path, {
      readOnly: options.readonly === true,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    if (options.readonly === true) {
      const found = this.#db
        .stmt("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 'spend_%'")
        .get() as { n: number };
      this.#empty = Number(found.n) < 3;
      return;
    }
    this.#db.immediate(() => this.#migrate(options.path));
    this.#empty = false;
  }

  /** Creates the tables, or brings a version-1 ledger to version 2 in place (see the file's TSDoc). */
  #migrate(path: string): void {
    this.#db.exec(SCHEMA);
    const row = this.#db.stmt("SELECT value FROM meta WHERE key = 'spend_schema_version'").get() as
      | { value: string }
      | undefined;
    if (row !== undefined && Number(row.value) > SPEND_LEDGER_SCHEMA_VERSION) {
      throw new ConfigError(
        `invalid --store: ${path} has spend ledger schema version ${row.value}; this twitter-poller reads version ${SPEND_LEDGER_SCHEMA_VERSION} (upgrade twitter-poller or use another file)`,
        '--store',
      );
    }
    const columns = this.#db.stmt('PRAGMA table_info(spend_reads)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'id_count'))
      this.#db.exec('ALTER TABLE spend_reads ADD COLUMN id_count INTEGER NOT NULL DEFAULT 0');
    const legacy = this.#db.stmt("SELECT stream, ids FROM spend_reads WHERE ids != ''").all() as {
      stream: string;
      ids: string;
    }[];
    for (const { stream, ids } of legacy) this.#moveToPages(stream, ids);
    this.#db
      .stmt(
        "INSERT INTO meta (key, value) VALUES ('spend_schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(String(SPEND_LEDGER_SCHEMA_VERSION));
  }

  /**
   * Replaces the stream's pages with the version-1 comma-separated `ids` (one page) and empties the
   * column; returns how many ids that is.
   */
  #moveToPages(stream: string, ids: string): number {
    const count = ids.split(',').length;
    this.#db.stmt('DELETE FROM spend_read_pages WHERE stream = ?').run(stream);
    this.#db.stmt(INSERT_PAGE).run(stream, count, ids);
    this.#db
      .stmt("UPDATE spend_reads SET ids = '', id_count = ?, version = version + 1 WHERE stream = ?")
      .run(count, stream);
    return count;
  }

  async recordRead(stream: string, ids: readonly string[], day: string): Promise<RecordedRead> {
    try {
      return this.#db.immediate((): RecordedRead => this.#record(stream, ids, day));
    } catch (error) {
      this.#reads.delete(stream); // the cache may be ahead of the rolled-back row
      throw error;
    }
  }

  #record(stream: string, ids: readonly string[], day: string): RecordedRead {
    let row = this.#db
      .stmt('SELECT day, version, id_count, ids FROM spend_reads WHERE stream = ?')
      .get(stream) as { day: string; version: number; id_count: number; ids: string } | undefined;
    if (row !== undefined && row.ids !== '') {
      // Written by a version-1 process since this connection opened the file.
      row = { ...row, ids: '', id_count: this.#moveToPages(stream, row.ids), version: row.version + 1 };
    }
    let reads = this.#reads.get(stream);
    if (row === undefined || row.day !== day) {
      if (row !== undefined) this.#db.stmt('DELETE FROM spend_read_pages WHERE stream = ?').run(stream);
      reads = { version: row?.version ?? 0, count: 0, ids: [], seen: new Set() };
    } else if (reads === undefined || reads.version !== row.version) {
      const pages = this.#db
        .stmt('SELECT ids FROM spend_read_pages WHERE stream = ? AND end_count > ? ORDER BY end_count')
        .all(stream, row.id_count - READ_IDS_KEPT) as { ids: string }[];
      const list = pages.flatMap((p) => p.ids.split(',')).slice(-READ_IDS_KEPT);
      reads = { version: row.version, count: row.id_count, ids: list, seen: new Set(list) };
    }
    // The same rule as billPage (core/spend.ts), kept incrementally.
    const fresh: string[] = [];
    for (const id of ids) {
      if (reads.seen.has(id)) continue;
      reads.seen.add(id);
      fresh.push(id);
    }
    reads.ids.push(...fresh);
    if (reads.ids.length > READ_IDS_KEPT) {
      for (const old of reads.ids.splice(0, reads.ids.length - READ_IDS_KEPT)) reads.seen.delete(old);
    }
    reads.count += fresh.length;
    reads.version++;
    this.#reads.set(stream, reads);
    if (fresh.length > 0) {
      this.#db.stmt(INSERT_PAGE).run(stream, reads.count, fresh.join(','));
      // Trimmed each time the count passes a multiple of READ_IDS_KEPT: at most ~2 x READ_IDS_KEPT ids stay.
      if (
        Math.floor(reads.count / READ_IDS_KEPT) !== Math.floor((reads.count - fresh.length) / READ_IDS_KEPT)
      )
        this.#db
          .stmt('DELETE FROM spend_read_pages WHERE stream = ? AND end_count <= ?')
          .run(stream, reads.count - READ_IDS_KEPT);
    }
    this.#db
      .stmt(
        `INSERT INTO spend_reads (stream, day, ids, version, id_count) VALUES (?, ?, '', ?, ?)
         ON CONFLICT (stream) DO UPDATE SET day = excluded.day, version = excluded.version,
           id_count = excluded.id_count`,
      )
      .run(stream, day, reads.version, reads.count);
    this.#db
      .stmt(
        `INSERT INTO spend_days (day, stream, posts) VALUES (?, ?, ?)
         ON CONFLICT (day, stream) DO UPDATE SET posts = posts + excluded.posts`,
      )
      .run(day, stream, fresh.length);
    return { billed: fresh.length, ...this.#totals(day) };
  }

  async totals(day: string): Promise<SpendTotals> {
    if (this.#empty) return { dayPosts: 0, monthPosts: 0 };
    return this.#totals(day);
  }

  #totals(day: string): SpendTotals {
    const row = this.#db
      .stmt(
        `SELECT COALESCE(SUM(CASE WHEN day = ? THEN posts END), 0) AS d, COALESCE(SUM(posts), 0) AS m
           FROM spend_days WHERE day >= ? AND day < ?`,
      )
      .get(day, `${monthOf(day)}-00`, `${monthOf(day)}-99`) as { d: number; m: number };
    return { dayPosts: row.d, monthPosts: row.m };
  }

  async streamsOnDay(day: string): Promise<StreamDaySpend[]> {
    if (this.#empty) return [];
    return this.#db
      .stmt('SELECT stream, posts FROM spend_days WHERE day = ? ORDER BY stream')
      .all(day) as StreamDaySpend[];
  }

  async creditsDepletedAt(): Promise<string | null> {
    if (this.#empty) return null;
    const row = this.#db.stmt('SELECT value FROM spend_flags WHERE key = ?').get(FLAG) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  async setCreditsDepleted(at: string | null): Promise<void> {
    if (at === null) this.#db.stmt('DELETE FROM spend_flags WHERE key = ?').run(FLAG);
    else
      this.#db
        .stmt(
          'INSERT INTO spend_flags (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(FLAG, at);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
