/**
 * The app-wide rate budget in the checkpoint's SQLite file: table `rate_budget`, one row per
 * endpoint, written only when its version is unchanged. Every process on the machine that opens
 * the same file shares one budget. The table is additive (CREATE IF NOT EXISTS): files of older
 * versions gain it on first use and keep their store schema version.
 */
import type { BudgetState, RateBudgetStore, VersionedBudget } from '../../core/ports/rate-budget.js';
import { decodeBudget, encodeBudget } from './budget-record.js';
import { SqliteDb } from './sqlite-db.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS rate_budget (
  key TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)`;

/** Options of {@link SqliteRateBudgetStore}. */
export interface SqliteRateBudgetStoreOptions {
  /** The checkpoint file (its directory is created). */
  readonly path: string;
  /** How long a write waits for another process's transaction. @default 5000 */
  readonly busyTimeoutMs?: number;
  /** Epoch ms, for records that fail to parse. @default Date.now */
  readonly now?: () => number;
  /** Open for `status`: no write, no table created; a file without the table lists nothing. @default false */
  readonly readOnly?: boolean;
}

/** RateBudgetStore on a table of the SQLite checkpoint file. */
export class SqliteRateBudgetStore implements RateBudgetStore {
  readonly #db: SqliteDb;
  readonly #now: () => number;
  readonly #readOnly: boolean;

  constructor(options: SqliteRateBudgetStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#readOnly = options.readOnly ?? false;
    // Read-only: the checkpoint store's reader (a copy when the store has no WAL side files), so
    // `status` leaves the store byte for byte as it was.
    this.#db = SqliteDb.open(options.path, {
      readOnly: this.#readOnly,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    if (this.#readOnly) return;
    try {
      this.#db.exec(SCHEMA);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  #hasTable(): boolean {
    return (
      this.#db.stmt("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rate_budget'").get() !==
      undefined
    );
  }

  async read(key: string): Promise<VersionedBudget> {
    if (this.#readOnly && !this.#hasTable()) return { state: null, version: 0 };
    const row = this.#db.stmt('SELECT version, state FROM rate_budget WHERE key = ?').get(key) as
      | { version: number; state: string }
      | undefined;
    if (row === undefined) return { state: null, version: 0 };
    return { state: decodeBudget(key, row.state, this.#now()), version: row.version };
  }

  async write(state: BudgetState, version: number): Promise<boolean> {
    if (this.#readOnly) throw new Error('the rate budget was opened read-only');
    const text = encodeBudget(state);
    const result =
      version === 0
        ? this.#db
            .stmt(
              'INSERT INTO rate_budget (key, version, state) VALUES (?, 1, ?) ON CONFLICT (key) DO NOTHING',
            )
            .run(state.key, text)
        : this.#db
            .stmt('UPDATE rate_budget SET version = version + 1, state = ? WHERE key = ? AND version = ?')
            .run(text, state.key, version);
    return (result as { changes: number }).changes === 1;
  }

  async list(): Promise<BudgetState[]> {
    if (!this.#hasTable()) return [];
    const rows = this.#db.stmt('SELECT key, state FROM rate_budget ORDER BY key').all() as {
      key: string;
      state: string;
    }[];
    return rows.map((r) => decodeBudget(r.key, r.state, this.#now()));
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
