/**
 * The run history in the checkpoint's SQLite file: a `runs` table beside `checkpoints`, one row per
 * execution (the record as JSON), bounded to the newest `maxRuns` rows. A read-only opening (status,
 * report) goes through the store's `openReadOnly`: nothing is created or changed next to the file,
 * and a file from before the history reads as an empty history. Either SQLite library
 * (sqlite-driver.ts) serves it.
 */
import type { RunHistoryQuery, RunHistoryStore, RunRecord } from '../../core/ports/run-history.js';
import { DEFAULT_MAX_RUNS, decodeRun, encodeRun, startedMs } from './run-history-query.js';
import { SqliteDb } from './sqlite-db.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, started_at_ms INTEGER NOT NULL, correlation_id TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at_ms);`;

export interface SqliteRunHistoryOptions {
  /** The database file (the checkpoint store's). */
  readonly path: string;
  /** Open an existing file without writing: no table is created and `record` throws. @default false */
  readonly readonly?: boolean;
  /** Rows kept; the oldest are deleted in the same transaction as the insert. @default 10000 */
  readonly maxRuns?: number;
  /** How long a write waits for another process's transaction. @default 5000 */
  readonly busyTimeoutMs?: number;
}

/** RunHistoryStore on the `runs` table of the checkpoint file. */
export class SqliteRunHistory implements RunHistoryStore {
  readonly #db: SqliteDb;
  readonly #maxRuns: number;
  readonly #readonly: boolean;

  constructor(options: SqliteRunHistoryOptions) {
    this.#readonly = options.readonly ?? false;
    this.#maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    this.#db = SqliteDb.open(options.path, {
      readOnly: this.#readonly,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    try {
      if (this.#readonly) {
        this.#db.stmt('SELECT 1 FROM sqlite_master LIMIT 1').get(); // not a database: fail here, not later
      } else {
        this.#db.exec(SCHEMA);
      }
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  async record(run: RunRecord): Promise<void> {
    if (this.#readonly) throw new Error('the run history was opened read-only');
    this.#db.immediate(() => {
      this.#db
        .stmt('INSERT INTO runs (started_at_ms, correlation_id, record) VALUES (?, ?, ?)')
        .run(startedMs(run), run.correlation_id, encodeRun(run));
      this.#db.stmt('DELETE FROM runs WHERE seq <= (SELECT MAX(seq) FROM runs) - ?').run(this.#maxRuns);
    });
  }

  async list(query: RunHistoryQuery = {}): Promise<RunRecord[]> {
    const exists = this.#db.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
    if (exists === undefined) return [];
    const since = query.sinceMs ?? 0;
    const rows = (
      query.limit === undefined
        ? this.#db
            .stmt('SELECT record FROM runs WHERE started_at_ms >= ? ORDER BY started_at_ms, seq')
            .all(since)
        : this.#db
            .stmt(
              'SELECT record FROM (SELECT record, started_at_ms, seq FROM runs WHERE started_at_ms >= ? ORDER BY started_at_ms DESC, seq DESC LIMIT ?) ORDER BY started_at_ms, seq',
            )
            .all(since, query.limit)
    ) as { record: string }[];
    return rows.map((r) => decodeRun(r.record));
  }

  /** Rows in the table (tests check the bound with it). */
  count(): number {
    return Number((this.#db.stmt('SELECT COUNT(*) AS n FROM runs').get() as { n: number | bigint }).n);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
