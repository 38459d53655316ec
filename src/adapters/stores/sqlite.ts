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
import { CheckpointConflictError, ConfigError } from '../../core/errors.js';
import { compareIds } from '../../core/ids.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';
import { type CheckpointRow, checkpointFromRow, checkpointToRow } from './checkpoint-validation.js';
import {
  openSqlite,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteStatement,
} from './sqlite-driver.js';

/**
 * Version of the tables below, kept in `meta`; a newer file is refused rather than misread.
 * 1 → 2: `checkpoints.fair_lag` (the scheduler's fair-share state), added in place on open.
 */
export const SQLITE_STORE_SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (
  stream TEXT PRIMARY KEY, since_id TEXT NOT NULL, sweep_newest_id TEXT, sweep_until_id TEXT,
  sweep_next_token TEXT, user_id TEXT, recent_ids TEXT, schema_version INTEGER NOT NULL, updated_at TEXT NOT NULL,
  writer TEXT NOT NULL, fair_lag REAL);
CREATE TABLE IF NOT EXISTS leases (
  stream TEXT PRIMARY KEY, owner TEXT NOT NULL, fence INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL);`;

export interface SqliteCheckpointStoreOptions {
  /** The database file; its directory is created. */
  readonly path: string;
  /** How long a write waits for another process's transaction. @default 5000 */
  readonly busyTimeoutMs?: number;
  /** Test-only: called inside a checkpoint write's transaction, after the UPDATE and before COMMIT. @default none */
  readonly onWrite?: () => void;
  /**
   * Open an existing file read-only (`status`): nothing is created, migrated or written, and a
   * missing file is a ConfigError. @default false
   */
  readonly readOnly?: boolean;
  /** The SQLite library. @default better-sqlite3 when it loads, else node:sqlite (sqlite-driver.ts) */
  readonly driver?: SqliteDriverName;
}

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

interface LeaseRow {
  readonly owner: string;
  readonly fence: number;
  readonly expires_at_ms: number;
}

/**
 * Checkpoints in a local SQLite file (better-sqlite3 or node:sqlite, see sqlite-driver.ts; WAL). Every write is one `BEGIN IMMEDIATE`
 * transaction that re-checks the lease fence and that since_id does not move backwards, so two
 * processes sharing the file can neither corrupt nor regress a checkpoint.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  readonly #db: SqliteConnection;
  /** The SQLite library in use. */
  readonly driver: SqliteDriverName;
  /** A private copy to remove on close (read-only opening). */
  readonly #cleanup: string | undefined;
  #closed = false;
  readonly #onWrite: (() => void) | undefined;
  /** Whether this store created its file (a first run), so the CLI can say where it is. */
  readonly created: boolean;

  constructor(options: SqliteCheckpointStoreOptions) {
    this.#onWrite = options.onWrite;
    if (options.readOnly === true) {
      this.created = false;
      if (!existsSync(options.path)) {
        throw new ConfigError(
          `invalid --store: ${options.path} does not exist (no checkpoint store there; a poll creates it)`,
          '--store',
        );
      }
      const opened = openReadOnly(options.path, options.driver);
      this.#db = opened.db;
      this.driver = opened.driver;
      this.#cleanup = opened.cleanup;
      try {
        this.#db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
        this.#checkVersion(options.path);
      } catch (error) {
        this.#closeDb();
        throw error;
      }
      return;
    }
    this.created = !existsSync(options.path);
    this.#cleanup = undefined;
    mkdirSync(dirname(options.path), { recursive: true });
    const opened = openSqlite(options.path, options.driver === undefined ? {} : { driver: options.driver });
    this.#db = opened.db;
    this.driver = opened.driver;
    this.#db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.#db.exec('PRAGMA journal_mode = WAL');
    // WAL + NORMAL: a commit survives a process crash; only a power loss may roll back the last commits,
    // and a rolled-back checkpoint re-delivers posts (the sink fsyncs first), it never skips them.
    this.#db.exec('PRAGMA synchronous = NORMAL');
    try {
      this.#migrate(options.path);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE` ... `COMMIT`, rolled back if it throws. */
  #immediate<T>(fn: () => T): T {
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

  #migrate(path: string): void {
    this.#immediate(() => {
      this.#db.exec(SCHEMA);
      // Files from before recent_ids existed (same schema version, one optional column fewer).
      const columns = this.#stmt('PRAGMA table_info(checkpoints)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'recent_ids'))
        this.#db.exec('ALTER TABLE checkpoints ADD COLUMN recent_ids TEXT');
      const row = this.#stmt("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        | { value: string }
        | undefined;
      if (row === undefined) {
        this.#stmt("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(
          String(SQLITE_STORE_SCHEMA_VERSION),
        );
      } else if (Number(row.value) === 1) {
        // Version 1 had no fair-share state: every stream starts with a lag of 0.
        if (!columns.some((c) => c.name === 'fair_lag'))
          this.#db.exec('ALTER TABLE checkpoints ADD COLUMN fair_lag REAL');
        this.#stmt("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(
          String(SQLITE_STORE_SCHEMA_VERSION),
        );
      } else if (Number(row.value) !== SQLITE_STORE_SCHEMA_VERSION) {
        throw new ConfigError(
          `invalid --store: ${path} has store schema version ${row.value}; this twitter-poller reads version ${SQLITE_STORE_SCHEMA_VERSION} (upgrade twitter-poller or use another file)`,
          '--store',
        );
      }
    });
  }

  /** Read-only opening: a file that is not a store of this version is refused; a store never written to yet lists nothing. */
  #checkVersion(path: string): void {
    const tables = this.#stmt("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const names = new Set(tables.map((t) => t.name));
    if (!names.has('meta') || !names.has('checkpoints')) {
      throw new ConfigError(`invalid --store: ${path} is not a twitter-poller checkpoint store`, '--store');
    }
    const row = this.#stmt("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    // Version 1 (no fair_lag column yet) reads the same; only a write upgrades it.
    if (row !== undefined && Number(row.value) !== 1 && Number(row.value) !== SQLITE_STORE_SCHEMA_VERSION) {
      throw new ConfigError(
        `invalid --store: ${path} has store schema version ${row.value}; this twitter-poller reads version ${SQLITE_STORE_SCHEMA_VERSION} (upgrade twitter-poller or use another file)`,
        '--store',
      );
    }
  }

  async load(stream: string): Promise<Checkpoint | null> {
    const row = this.#stmt('SELECT * FROM checkpoints WHERE stream = ?').get(stream) as
      | CheckpointRow
      | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const row = checkpointToRow(checkpoint);
    this.#immediate(() => {
      this.#assertHeld(lease, checkpoint.stream);
      const current = this.#stmt('SELECT since_id FROM checkpoints WHERE stream = ?').get(
        checkpoint.stream,
      ) as { since_id: string } | undefined;
      if (current !== undefined && compareIds(checkpoint.since_id, current.since_id) < 0) {
        throw new CheckpointConflictError(
          `refusing to move since_id of stream "${checkpoint.stream}" backwards (${current.since_id} -> ${checkpoint.since_id})`,
          checkpoint.stream,
        );
      }
      this.#stmt(
        `INSERT INTO checkpoints (stream, since_id, sweep_newest_id, sweep_until_id, sweep_next_token, user_id, recent_ids, fair_lag, schema_version, updated_at, writer)
             VALUES (@stream, @since_id, @sweep_newest_id, @sweep_until_id, @sweep_next_token, @user_id, @recent_ids, @fair_lag, @schema_version, @updated_at, @writer)
             ON CONFLICT (stream) DO UPDATE SET since_id = excluded.since_id, sweep_newest_id = excluded.sweep_newest_id,
               sweep_until_id = excluded.sweep_until_id, sweep_next_token = excluded.sweep_next_token, user_id = excluded.user_id, recent_ids = excluded.recent_ids,
               fair_lag = excluded.fair_lag, schema_version = excluded.schema_version, updated_at = excluded.updated_at, writer = excluded.writer`,
      ).run(row);
      this.#onWrite?.();
    });
  }

  async acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    return this.#immediate((): Lease | null => {
      const row = this.#leaseRow(stream);
      if (row !== undefined && row.owner !== owner && row.expires_at_ms > nowMs) return null;
      const lease: Lease = { stream, owner, fence: (row?.fence ?? 0) + 1, expiresAtMs: nowMs + ttlMs };
      this.#stmt(
        `INSERT INTO leases (stream, owner, fence, expires_at_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (stream) DO UPDATE SET owner = excluded.owner, fence = excluded.fence, expires_at_ms = excluded.expires_at_ms`,
      ).run(stream, owner, lease.fence, lease.expiresAtMs);
      return lease;
    });
  }

  async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    return this.#immediate((): Lease => {
      this.#assertHeld(lease, lease.stream);
      const renewed: Lease = { ...lease, expiresAtMs: nowMs + ttlMs };
      this.#stmt('UPDATE leases SET expires_at_ms = ? WHERE stream = ?').run(
        renewed.expiresAtMs,
        lease.stream,
      );
      return renewed;
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    // The row stays (expired) so that the next acquisition still gets a larger fence.
    this.#stmt('UPDATE leases SET expires_at_ms = 0 WHERE stream = ? AND owner = ? AND fence = ?').run(
      lease.stream,
      lease.owner,
      lease.fence,
    );
  }

  async list(): Promise<Checkpoint[]> {
    const rows = this.#stmt('SELECT * FROM checkpoints ORDER BY stream').all() as CheckpointRow[];
    return rows.map(checkpointFromRow);
  }

  async reset(stream: string): Promise<void> {
    this.#stmt('DELETE FROM checkpoints WHERE stream = ?').run(stream);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeDb();
  }

  #closeDb(): void {
    try {
      this.#db.close();
    } finally {
      if (this.#cleanup !== undefined) rmSync(this.#cleanup, { recursive: true, force: true });
    }
  }

  /** Prepared statements, compiled once per store (a save runs several per batch). */
  readonly #statements = new Map<string, SqliteStatement>();

  #stmt(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #leaseRow(stream: string): LeaseRow | undefined {
    return this.#stmt('SELECT owner, fence, expires_at_ms FROM leases WHERE stream = ?').get(stream) as
      | LeaseRow
      | undefined;
  }

  /** A lease is still ours while its fence is current: taking it over always bumps the fence. */
  #assertHeld(lease: Lease, stream: string): void {
    const row = this.#leaseRow(stream);
    if (
      lease.stream !== stream ||
      row === undefined ||
      row.owner !== lease.owner ||
      row.fence !== lease.fence
    ) {
      throw new CheckpointConflictError(
        `lease of stream "${stream}" is no longer held by ${lease.owner} (fence ${lease.fence})`,
        stream,
      );
    }
  }
}
