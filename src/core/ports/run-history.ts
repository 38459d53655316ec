/**
 * The run history: one record per execution, kept by the store next to the checkpoints and bounded
 * (SQLite: the last 10,000 runs; DynamoDB: a TTL of 90 days). `status` and `report` read it.
 */
import type { StreamOutcome } from '../run-types.js';

/** One stream's part of a run. Keys are snake_case: the record is stored and shown as JSON. */
export interface StreamRunRecord {
  readonly stream: string;
  readonly outcome: StreamOutcome;
  /** Posts delivered (acknowledged by the sink). */
  readonly posts: number;
  readonly requests: number;
  /** HTTP 429 answers. */
  readonly rate_limited: number;
  /** Rate-limit waits (pacing, window reset, 429). */
  readonly waits: number;
  /** Gaps: since_id moved up past posts that aged out of the API's reach (7-day edge, stale since_id). */
  readonly gaps: number;
  readonly gap_seconds: number;
  /** Seconds between the newest delivered post's created_at and its delivery; null when nothing was delivered. */
  readonly freshness_lag_seconds: number | null;
  /** Age in seconds of the oldest post still owed; null when nothing is owed. */
  readonly owed_age_seconds: number | null;
  /** Posts the API billed for (every post returned, delivered or not), once spend is accounted. */
  readonly posts_billed?: number;
  /** What those reads cost, in US dollars, once spend is accounted. */
  readonly spend_usd?: number;
  readonly duration_ms: number;
  /** The failure, for `failed` and `usage_capped`. */
  readonly error?: string;
}

/** One execution. */
export interface RunRecord {
  readonly correlation_id: string;
  /** ISO-8601 start of the execution. */
  readonly started_at: string;
  readonly duration_ms: number;
  readonly caught_up: boolean;
  /** The daily spend budget in force for this run, when one was configured. */
  readonly max_spend_usd_per_day?: number;
  readonly streams: readonly StreamRunRecord[];
}

/** What {@link RunHistoryStore.list} returns. */
export interface RunHistoryQuery {
  /** Only runs that started at or after this time (epoch ms). @default 0 (every kept run) */
  readonly sinceMs?: number;
  /** Only the newest `limit` runs. @default no limit */
  readonly limit?: number;
}

/**
 * Persistence of the run history. Adapters: SQLite (a `runs` table in the checkpoint file), DynamoDB
 * (items in the checkpoint table with a TTL), memory. One contract suite runs against each
 * (test/contract/run-history.contract.ts).
 */
export interface RunHistoryStore {
  /** Adds a run, then drops what falls outside the store's bound. */
  record(run: RunRecord): Promise<void>;
  /** The kept runs, oldest first. */
  list(query?: RunHistoryQuery): Promise<RunRecord[]>;
  close(): Promise<void>;
}
