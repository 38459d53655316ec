/**
 * SpendLedger in the CLI's SQLite file, next to the checkpoints (its own connection, same WAL file),
 * so that every process polling from one store shares the budget and the credits flag.
 *
 * | table         | row                        | written by                                    |
 * |---------------|----------------------------|-----------------------------------------------|
 * | spend_days    | (day, stream) -> posts     | recordRead: + billed, in one transaction       |
 * | spend_reads   | stream -> (day, ids, version) | recordRead: the stream's reads of that day  |
 *
 * The ids (comma-separated, the newest READ_IDS_KEPT) are cached per connection with the row's
 * version: a page re-parses them only when another connection wrote the row since.
 * | spend_flags   | 'credits_depleted_at'      | setCreditsDepleted                             |
 */
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
CREATE TABLE IF NOT EXISTS spend_flags (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

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
  readonly #reads = new Map<string, { version: number; ids: string[]; seen: Set<string> }>();

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
    this.#db.immediate(() => this.#db.exec(SCHEMA));
    this.#empty = false;
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
    const row = this.#db.stmt('SELECT day, version FROM spend_reads WHERE stream = ?').get(stream) as
      | { day: string; version: number }
      | undefined;
    let reads = this.#reads.get(stream);
    if (row === undefined || row.day !== day) {
      reads = { version: row?.version ?? 0, ids: [], seen: new Set() };
    } else if (reads === undefined || reads.version !== row.version) {
      const text = (
        this.#db.stmt('SELECT ids FROM spend_reads WHERE stream = ?').get(stream) as { ids: string }
      ).ids;
      const list = text === '' ? [] : text.split(',');
      reads = { version: row.version, ids: list, seen: new Set(list) };
    }
    // The same rule as billPage (core/spend.ts), kept incrementally.
    let billed = 0;
    for (const id of ids) {
      if (reads.seen.has(id)) continue;
      reads.seen.add(id);
      reads.ids.push(id);
      billed++;
    }
    if (reads.ids.length > READ_IDS_KEPT) {
      for (const old of reads.ids.splice(0, reads.ids.length - READ_IDS_KEPT)) reads.seen.delete(old);
    }
    reads.version++;
    this.#reads.set(stream, reads);
    this.#db
      .stmt(
        `INSERT INTO spend_reads (stream, day, ids, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET day = excluded.day, ids = excluded.ids, version = excluded.version`,
      )
      .run(stream, day, reads.ids.join(','), reads.version);
    this.#db
      .stmt(
        `INSERT INTO spend_days (day, stream, posts) VALUES (?, ?, ?)
         ON CONFLICT (day, stream) DO UPDATE SET posts = posts + excluded.posts`,
      )
      .run(day, stream, billed);
    return { billed, ...this.#totals(day) };
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
