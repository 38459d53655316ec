import { existsSync } from 'node:fs';
import { CheckpointConflictError, ConfigError } from '../../core/errors.js';
import { compareIds } from '../../core/ids.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';
import { type CheckpointRow, checkpointFromRow, checkpointToRow } from './checkpoint-validation.js';
import { SqliteDb } from './sqlite-db.js';
import type { SqliteDriverName } from './sqlite-driver.js';

export { openReadOnly } from './sqlite-db.js';

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

interface LeaseRow {
  readonly owner: string;
  readonly fence: number;
  readonly expires_at_ms: number;
}

/**
 * Checkpoints in a local SQLite file (better-sqlite3 or node:sqlite, see sqlite-driver.ts; WAL). Every write runs inside a
 * `BEGIN IMMEDIATE` transaction that re-checks the lease fence and that since_id does not move
 * backwards, so two processes sharing the file can neither corrupt nor regress a checkpoint. Writes
 * made in the same turn of the event loop share that transaction (SqliteDb.grouped, a savepoint
 * each) and each resolves once it has committed.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  readonly #db: SqliteDb;
  /** The SQLite library in use. */
  readonly driver: SqliteDriverName;
  readonly #onWrite: (() => void) | undefined;
  /** Whether this store created its file (a first run), so the CLI can say where it is. */
  readonly created: boolean;

  constructor(options: SqliteCheckpointStoreOptions) {
    this.#onWrite = options.onWrite;
    const readOnly = options.readOnly === true;
    if (readOnly && !existsSync(options.path)) {
      throw new ConfigError(
        `invalid --store: ${options.path} does not exist (no checkpoint store there; a poll creates it)`,
        '--store',
      );
    }
    this.created = !readOnly && !existsSync(options.path);
    this.#db = SqliteDb.open(options.path, options);
    this.driver = this.#db.driver;
    try {
      if (readOnly) this.#checkVersion(options.path);
      else this.#migrate(options.path);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  #migrate(path: string): void {
    this.#db.immediate(() => {
      this.#db.exec(SCHEMA);
      // Files from before recent_ids existed (same schema version, one optional column fewer).
      const columns = this.#db.stmt('PRAGMA table_info(checkpoints)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'recent_ids'))
        this.#db.exec('ALTER TABLE checkpoints ADD COLUMN recent_ids TEXT');
      const row = this.#db.stmt("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        | { value: string }
        | undefined;
      if (row === undefined) {
        this.#db
          .stmt("INSERT INTO meta (key, value) VALUES ('schema_version', ?)")
          .run(String(SQLITE_STORE_SCHEMA_VERSION));
      } else if (Number(row.value) === 1) {
        // Version 1 had no fair-share state: every stream starts with a lag of 0.
        if (!columns.some((c) => c.name === 'fair_lag'))
          this.#db.exec('ALTER TABLE checkpoints ADD COLUMN fair_lag REAL');
        this.#db
          .stmt("UPDATE meta SET value = ? WHERE key = 'schema_version'")
          .run(String(SQLITE_STORE_SCHEMA_VERSION));
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
    const tables = this.#db.stmt("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const names = new Set(tables.map((t) => t.name));
    if (!names.has('meta') || !names.has('checkpoints')) {
      throw new ConfigError(`invalid --store: ${path} is not a twitter-poller checkpoint store`, '--store');
    }
    const row = this.#db.stmt("SELECT value FROM meta WHERE key = 'schema_version'").get() as
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
    const row = this.#db.stmt('SELECT * FROM checkpoints WHERE stream = ?').get(stream) as
      | CheckpointRow
      | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const row = checkpointToRow(checkpoint);
    await this.#db.grouped(() => {
      this.#assertHeld(lease, checkpoint.stream);
      const current = this.#db
        .stmt('SELECT since_id FROM checkpoints WHERE stream = ?')
        .get(checkpoint.stream) as { since_id: string } | undefined;
      if (current !== undefined && compareIds(checkpoint.sinceId, current.since_id) < 0) {
        throw new CheckpointConflictError(
          `refusing to move since_id of stream "${checkpoint.stream}" backwards (${current.since_id} -> ${checkpoint.sinceId})`,
          checkpoint.stream,
        );
      }
      this.#db
        .stmt(
          `INSERT INTO checkpoints (stream, since_id, sweep_newest_id, sweep_until_id, sweep_next_token, user_id, recent_ids, fair_lag, schema_version, updated_at, writer)
             VALUES (@stream, @since_id, @sweep_newest_id, @sweep_until_id, @sweep_next_token, @user_id, @recent_ids, @fair_lag, @schema_version, @updated_at, @writer)
             ON CONFLICT (stream) DO UPDATE SET since_id = excluded.since_id, sweep_newest_id = excluded.sweep_newest_id,
               sweep_until_id = excluded.sweep_until_id, sweep_next_token = excluded.sweep_next_token, user_id = excluded.user_id, recent_ids = excluded.recent_ids,
               fair_lag = excluded.fair_lag, schema_version = excluded.schema_version, updated_at = excluded.updated_at, writer = excluded.writer`,
        )
        .run(row);
      this.#onWrite?.();
    });
  }

  async acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    return this.#db.grouped((): Lease | null => {
      const row = this.#leaseRow(stream);
      if (row !== undefined && row.owner !== owner && row.expires_at_ms > nowMs) return null;
      const lease: Lease = { stream, owner, fence: (row?.fence ?? 0) + 1, expiresAtMs: nowMs + ttlMs };
      this.#db
        .stmt(
          `INSERT INTO leases (stream, owner, fence, expires_at_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (stream) DO UPDATE SET owner = excluded.owner, fence = excluded.fence, expires_at_ms = excluded.expires_at_ms`,
        )
        .run(stream, owner, lease.fence, lease.expiresAtMs);
      return lease;
    });
  }

  async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    return this.#db.grouped((): Lease => {
      this.#assertHeld(lease, lease.stream);
      const renewed: Lease = { ...lease, expiresAtMs: nowMs + ttlMs };
      this.#db
        .stmt('UPDATE leases SET expires_at_ms = ? WHERE stream = ?')
        .run(renewed.expiresAtMs, lease.stream);
      return renewed;
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    // The row stays (expired) so that the next acquisition still gets a larger fence.
    await this.#db.grouped(() =>
      this.#db
        .stmt('UPDATE leases SET expires_at_ms = 0 WHERE stream = ? AND owner = ? AND fence = ?')
        .run(lease.stream, lease.owner, lease.fence),
    );
  }

  async list(): Promise<Checkpoint[]> {
    const rows = this.#db.stmt('SELECT * FROM checkpoints ORDER BY stream').all() as CheckpointRow[];
    return rows.map(checkpointFromRow);
  }

  async reset(stream: string): Promise<void> {
    this.#db.stmt('DELETE FROM checkpoints WHERE stream = ?').run(stream);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #leaseRow(stream: string): LeaseRow | undefined {
    return this.#db.stmt('SELECT owner, fence, expires_at_ms FROM leases WHERE stream = ?').get(stream) as
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
