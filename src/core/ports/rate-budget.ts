/**
 * The app-wide rate budget: one record per endpoint bucket, shared by every process and worker that
 * shares a store. Adapters: SQLite (a table in the checkpoint file), DynamoDB (an item per endpoint,
 * written conditionally on its version), memory (tests). The rules that change it are pure
 * (core/rate-budget.ts); an adapter only reads and compare-and-swaps.
 */

/** A reserved request instant and why it is not earlier. */
export interface Slot {
  /** Epoch ms: the request may be sent from this instant on. */
  readonly atMs: number;
  readonly reason: 'none' | 'min_interval' | 'pacing' | 'exhausted';
  /** A probe: the window is unknown; other holders wait for this request's headers. */
  readonly probe?: boolean;
  /**
   * The estimated reset of the window the slot was counted in (absent on a probe). Sent later, the
   * request would count in the next window, whose probe's headers may not include it: the holder
   * drops such a slot and reserves again (a process starved of CPU holds its grant for seconds).
   */
  readonly validUntilMs?: number;
}

/** What one holder (a process or worker) has reserved and not yet used. */
export interface Holding {
  /** Instants of the reserved, unused slots, ascending. */
  readonly slots: readonly number[];
  /** Epoch ms of the holder's last reservation (a dead holder's slots pass with time). */
  readonly updatedAtMs: number;
}

/** One endpoint's budget for the whole app. */
export interface BudgetState {
  /** The endpoint bucket, e.g. `search_recent`. */
  readonly key: string;
  /** `x-rate-limit-limit` last seen; null before the first response. */
  readonly limit: number | null;
  /** Requests left in the window, after every slot granted so far; null when unknown. */
  readonly remaining: number | null;
  /** Epoch ms of the window's reset (the server's skew cancelled); null when unknown. */
  readonly resetAtMs: number | null;
  /** Earliest instant of the next slot (min interval, search/all's 1 per second, pacing). */
  readonly nextAtMs: number;
  /** No slot before this instant: a 429, an exhausted window or 24-hour limit. */
  readonly pausedUntilMs: number;
  /**
   * A probe is out (its instant and how long others wait for its headers at most); the first
   * headers received after the probe was sent end the wait. Null when none is out.
   */
  readonly probe: { readonly atMs: number; readonly untilMs: number } | null;
  /** Slots granted since the record was created (a counter: headers are matched against it). */
  readonly granted: number;
  /** Instants of the last slots granted (at most {@link RECENT_SLOTS}), to date late headers. */
  readonly recent: readonly number[];
  /** The holder whose grant ends the schedule (its unused slots can be rolled back). */
  readonly lastHolder: string | null;
  readonly holders: Readonly<Record<string, Holding>>;
  readonly updatedAtMs: number;
}

/** How many granted slot instants a record keeps. */
export const RECENT_SLOTS = 64;

/** A budget as read, with the version a conditional write must match (0: absent). */
export interface VersionedBudget {
  readonly state: BudgetState | null;
  readonly version: number;
}

/** Persistence of the budget records. */
export interface RateBudgetStore {
  /** The record of `key`, with its version (0 and null when there is none). */
  read(key: string): Promise<VersionedBudget>;
  /**
   * Writes `state` as version `version + 1`, only if the stored version is still `version`.
   * Resolves false (nothing written) when another writer got there first.
   */
  write(state: BudgetState, version: number): Promise<boolean>;
  /** Every record, for `status`. */
  list(): Promise<BudgetState[]>;
  close(): Promise<void>;
}
