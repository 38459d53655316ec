/**
 * One SQLite file opened the way every SQLite adapter opens it (checkpoints, spend ledger, rate
 * budget, run history), with the helpers they need: a prepared-statement cache, a `BEGIN IMMEDIATE`
 * transaction and a group commit. The library underneath is sqlite-driver.ts's.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// The module's own setImmediate: a test's fake timers replace the global one, never this.
import { setImmediate } from 'node:timers';
import {
  openSqlite,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteStatement,
} from './sqlite-driver.js';

/**
 * Opens `path` for reading without creating or changing anything next to it. A WAL-mode reader
 * creates the `-wal` and `-shm` side files when they are missing, so:
 * - side files present (a run is writing, or one crashed): the latest commits may be in the WAL;
 *   open the file read-only (nothing new is created);
 * - no WAL file: every commit is in the main file; copy it to a private temporary directory, set
 *   the copy's header back to rollback mode (bytes 18 and 19), and read the copy.
 * Returns the connection and what to remove once it is closed.
 */
export function openReadOnly(
  path: string,
  driver: SqliteDriverName | undefined,
): { db: SqliteConnection; driver: SqliteDriverName; cleanup?: string } {
  const opts = { readOnly: true, ...(driver === undefined ? {} : { driver }) };
  if (existsSync(`${path}-wal`) && existsSync(`${path}-shm`)) return openSqlite(path, opts);
  const dir = mkdtempSync(join(tmpdir(), 'twitter-poller-status-'));
  try {
    const copy = join(dir, 'state.db');
    copyFileSync(path, copy);
    const fd = openSync(copy, 'r+');
    try {
      writeSync(fd, Buffer.from([1, 1]), 0, 2, 18);
    } finally {
      closeSync(fd);
    }
    return { ...openSqlite(copy, opts), cleanup: dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A {@link SqliteDb.grouped} call waiting for its group's commit. */
interface GroupedCall {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How {@link SqliteDb.open} opens a file. */
export interface SqliteDbOptions {
  /** Read an existing file without changing anything next to it ({@link openReadOnly}). @default false */
  readonly readOnly?: boolean;
  /** How long a statement waits for another process's transaction. @default 5000 */
  readonly busyTimeoutMs?: number;
  /** The SQLite library. @default better-sqlite3 when it loads, else node:sqlite */
  readonly driver?: SqliteDriverName;
}

/** An open SQLite file: cached prepared statements, `BEGIN IMMEDIATE` transactions, an idempotent close. */
export class SqliteDb {
  /** The SQLite library in use. */
  readonly driver: SqliteDriverName;
  readonly #db: SqliteConnection;
  /** A private copy to remove on close (read-only opening). */
  readonly #cleanup: string | undefined;
  readonly #statements = new Map<string, SqliteStatement>();
  /** The calls of this turn of the event loop waiting for their group commit ({@link grouped}). */
  #group: GroupedCall[] = [];
  #closed = false;

  private constructor(db: SqliteConnection, driver: SqliteDriverName, cleanup: string | undefined) {
    this.#db = db;
    this.driver = driver;
    this.#cleanup = cleanup;
  }

  /**
   * Opens `path`. Writable: its directory is created and the connection runs in WAL mode with
   * `synchronous = NORMAL` (a commit survives a process crash; a power loss may roll back the last
   * commits, which re-delivers posts, never skips them). Read-only: see {@link openReadOnly}.
   */
  static open(path: string, options: SqliteDbOptions = {}): SqliteDb {
    const driver = options.driver;
    let db: SqliteDb;
    if (options.readOnly === true) {
      const opened = openReadOnly(path, driver);
      db = new SqliteDb(opened.db, opened.driver, opened.cleanup);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      const opened = openSqlite(path, driver === undefined ? {} : { driver });
      db = new SqliteDb(opened.db, opened.driver, undefined);
    }
    try {
      db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      if (options.readOnly !== true) {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = NORMAL');
      }
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  }

  /** Runs SQL without results (schema, pragmas). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  /** The prepared statement of `sql`, compiled once per connection (a page runs several). */
  stmt(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE` ... `COMMIT`, rolled back if it throws. */
  immediate<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      // A COMMIT that fails leaves the transaction open: end it, so the connection stays usable.
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      throw error;
    }
    return result;
  }

  /**
   * Runs `fn` in a transaction shared with every other `grouped` call of the same turn of the event
   * loop (group commit), and resolves with its result once that transaction has committed: the same
   * guarantee as {@link immediate}, for one commit instead of one each. Each call runs in its own
   * SAVEPOINT, so one that throws is rolled back alone and rejects alone; a failed COMMIT rejects
   * them all. Calls run in the order they were made. A hundred streams opening or closing together
   * write in a handful of transactions instead of a hundred (bench/README.md, "Session 8").
   */
  grouped<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#group.length === 0) setImmediate(() => this.#commitGroup());
      this.#group.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  #commitGroup(): void {
    const calls = this.#group;
    this.#group = [];
    if (calls.length === 0) return;
    if (this.#closed) {
      for (const call of calls)
        call.reject(new Error('the SQLite file was closed before the write committed'));
      return;
    }
    if (calls.length === 1) {
      const call = calls[0] as GroupedCall;
      try {
        call.resolve(this.immediate(call.fn));
      } catch (error) {
        call.reject(error);
      }
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.immediate(() => {
        for (const call of calls) {
          this.#db.exec('SAVEPOINT grouped');
          try {
            outcomes.push({ ok: true, value: call.fn() });
          } catch (error) {
            this.#db.exec('ROLLBACK TO grouped');
            outcomes.push({ ok: false, value: error });
          }
          this.#db.exec('RELEASE grouped');
        }
      });
    } catch (error) {
      for (const call of calls) call.reject(error);
      return;
    }
    calls.forEach((call, i) => {
      const outcome = outcomes[i] as { ok: boolean; value: unknown };
      if (outcome.ok) call.resolve(outcome.value);
      else call.reject(outcome.value);
    });
  }

  /** Closes the connection (after committing the calls still waiting) and removes a read-only copy; a second call does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#commitGroup();
    this.#closed = true;
    try {
      this.#db.close();
    } finally {
      if (this.#cleanup !== undefined) rmSync(this.#cleanup, { recursive: true, force: true });
    }
  }
}
