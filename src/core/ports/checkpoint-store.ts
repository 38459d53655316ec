/**
 * The checkpoint of a stream, and the store that keeps it. See docs/architecture.md ("The frontier").
 *
 *   ids:   low ─────────────────────────────────────────────────────────▶ high
 *          [ delivered ..... since_id ]( gap still to fetch )[ delivered in sweep ]( newer, unseen )
 *                                     ^ since_id (excl.)      ^ until_id (excl.)    ^ sweep.newest_id
 *
 * Invariant: every matching post with id <= since_id has been delivered, and so has every one with
 * until_id <= id <= sweep.newest_id. Only (since_id, until_id) is still owed.
 *
 * The port's fields are camelCase (sinceId, sweep.untilId, ...); snake_case stays at the storage and
 * wire edges (SQLite columns, DynamoDB attributes, API parameters, log fields), mapped by each
 * store's codec. Every store checks what it reads with core/checkpoint.ts.
 */

export const CHECKPOINT_SCHEMA_VERSION = 2;

/** A sweep in progress: paging newest first from `newest_id` down towards `since_id`. */
export interface Sweep {
  /** The newest id seen on the sweep's first page; becomes since_id when the sweep completes. */
  readonly newestId: string;
  /** The lowest id delivered so far in this sweep (exclusive upper bound of what is still owed); null before the first batch. */
  readonly untilId: string | null;
  /** The pagination token following the last fully delivered page, when one is held (informational: resumes use until_id). */
  readonly nextToken: string | null;
}

export interface Checkpoint {
  readonly stream: string;
  readonly schemaVersion: typeof CHECKPOINT_SCHEMA_VERSION;
  /** Every matching post with an id <= since_id has been delivered. */
  readonly sinceId: string;
  readonly sweep: Sweep | null;
  /** Resolved user id, for timeline and mentions streams configured by username. */
  readonly userId?: string;
  /**
   * Ids already delivered within the overlap window below since_id (newest first, bounded), so an
   * overlap re-read (`overlapSeconds`) does not deliver them twice. Absent when overlap is off.
   * Stores that do not keep it only cause duplicates inside the overlap window, never a loss.
   */
  readonly recentIds?: readonly string[];
  /**
   * Fair-share state kept across runs: how many posts per unit of weight this stream is behind the
   * other streams with a backlog (negative: ahead). The scheduler serves the most behind first.
   * Absent means 0. Written with the checkpoint, in the same conditional write.
   */
  readonly fairLag?: number;
  /** ISO-8601 time of the write. */
  readonly updatedAt: string;
  /** Correlation id of the execution that wrote it. */
  readonly writer: string;
}

/** Exclusive ownership of a stream for one execution, fenced by a counter that grows with every acquisition. */
export interface Lease {
  readonly stream: string;
  readonly owner: string;
  /** Fencing token: a write carrying an older fence than the store's is rejected. */
  readonly fence: number;
  readonly expiresAtMs: number;
}

/**
 * Persistence port. Adapters: SQLite (local), DynamoDB (cloud), memory (tests). The same contract
 * suite (test/contract/checkpoint-store.contract.ts) runs against each.
 */
export interface CheckpointStore {
  /**
   * The stream's checkpoint, or null when the stream has none yet (first run).
   * Throws CorruptCheckpointError for anything it cannot trust; migrates the legacy item
   * (a bare string since_id) in place.
   */
  load(stream: string): Promise<Checkpoint | null>;
  /**
   * Atomic conditional write. Rejects with CheckpointConflictError when `lease` is no longer the
   * current lease of the stream (stale fence or expired and taken) or when the write would move since_id backwards.
   */
  save(checkpoint: Checkpoint, lease: Lease): Promise<void>;
  /** Takes the stream for `ttlMs`. Resolves null when another owner holds an unexpired lease. */
  acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null>;
  /** Extends a held lease; rejects with CheckpointConflictError when it was lost. */
  renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease>;
  /** Gives the stream up (no-op when the lease was already lost). */
  releaseLease(lease: Lease): Promise<void>;
  /** Every stored checkpoint, for `twitter-poller status`. */
  list(): Promise<Checkpoint[]>;
  /** Deletes a stream's checkpoint (`--reset-checkpoint`). */
  reset(stream: string): Promise<void>;
  close(): Promise<void>;
}
