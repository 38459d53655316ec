/**
 * SpendLedger in the CLI's SQLite file, next to the checkpoints (its own connection, same WAL file),
 * so that every process polling from one store shares the budget and the credits flag.
 *
 * | table         | row                        | written by                                    |
 * |---------------|----------------------------|-----------------------------------------------|
 * | spend_days    | (day, stream) -> posts     | recordRead: + billed, in one transaction       |
 * | spend_reads   | stream -> (day, ids JSON)  | recordRead: the stream's reads of that day     |
 * | spend_flags   | 'credits_depleted_at'      | setCreditsDepleted                             |
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  RecordedRead,
  SpendLedger,
  SpendTotals,
  StreamDaySpend,
} from '../../core/ports/spend-ledger.js';
import { billPage, monthOf } from '../../core/spend.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend_days (day TEXT NOT NULL, stream TEXT NOT NULL, posts INTEGER NOT NULL,
  PRIMARY KEY (day, stream));
CREATE TABLE IF NOT EXISTS spend_reads (stream TEXT PRIMARY KEY, day TEXT NOT NULL, ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS spend_flags (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

const FLAG = 'credits_depleted_at';

export interface SqliteSpendLedgerOptions {
  /** The store's database file (the same as the checkpoints'). */
  readonly path: string;
  /** @default 5000 */
  readonly busyTimeoutMs?: number;
}

/** SpendLedger on better-sqlite3; each recordRead is one `BEGIN IMMEDIATE` transaction. */
export class SqliteSpendLedger implements SpendLedger {
  readonly #db: Database.Database;
  #closed = false;

  constructor(options: SqliteSpendLedgerOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.#db = new Database(options.path);
    this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.transaction(() => this.#db.exec(SCHEMA)).immediate();
  }

  async recordRead(stream: string, ids: readonly string[], day: string): Promise<RecordedRead> {
    return this.#db
      .transaction((): RecordedRead => {
        const row = this.#stmt('SELECT day, ids FROM spend_reads WHERE stream = ?').get(stream) as
          | { day: string; ids: string }
          | undefined;
        const before = row?.day === day ? (JSON.parse(row.ids) as string[]) : [];
        const { billed, remembered } = billPage(before, ids);
        this.#stmt(
          `INSERT INTO spend_reads (stream, day, ids) VALUES (?, ?, ?)
               ON CONFLICT (stream) DO UPDATE SET day = excluded.day, ids = excluded.ids`,
        ).run(stream, day, JSON.stringify(remembered));
        this.#stmt(
          `INSERT INTO spend_days (day, stream, posts) VALUES (?, ?, ?)
               ON CONFLICT (day, stream) DO UPDATE SET posts = posts + excluded.posts`,
        ).run(day, stream, billed);
        return { billed, ...this.#totals(day) };
      })
      .immediate();
  }

  async totals(day: string): Promise<SpendTotals> {
    return this.#totals(day);
  }

  #totals(day: string): SpendTotals {
    const row = this.#stmt(
      `SELECT COALESCE(SUM(CASE WHEN day = ? THEN posts END), 0) AS d, COALESCE(SUM(posts), 0) AS m
           FROM spend_days WHERE day >= ? AND day < ?`,
    ).get(day, `${monthOf(day)}-00`, `${monthOf(day)}-99`) as { d: number; m: number };
    return { dayPosts: row.d, monthPosts: row.m };
  }

  async streamsOnDay(day: string): Promise<StreamDaySpend[]> {
    return this.#stmt('SELECT stream, posts FROM spend_days WHERE day = ? ORDER BY stream').all(
      day,
    ) as StreamDaySpend[];
  }

  async creditsDepletedAt(): Promise<string | null> {
    const row = this.#stmt('SELECT value FROM spend_flags WHERE key = ?').get(FLAG) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  async setCreditsDepleted(at: string | null): Promise<void> {
    if (at === null) this.#stmt('DELETE FROM spend_flags WHERE key = ?').run(FLAG);
    else
      this.#stmt(
        'INSERT INTO spend_flags (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(FLAG, at);
  }

  /** Prepared statements, compiled once (recordRead runs once per page). */
  readonly #statements = new Map<string, Database.Statement>();

  #stmt(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
