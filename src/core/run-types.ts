import type { CheckpointStore } from './ports/checkpoint-store.js';
import type { Clock } from './ports/clock.js';
import type { Logger, Metrics } from './ports/observability.js';
import type { RunObserver } from './ports/run-events.js';
import type { Sink } from './ports/sink.js';
import type { SpendLedger } from './ports/spend-ledger.js';
import type { XApi } from './ports/x-api.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RetryOptions } from './retry.js';
import type { SpendOptions } from './spend.js';

/** Budgets and pacing of one execution. Every value comes from the caller (defaults: src/config/defaults.ts). */
export interface RunOptions {
  /** Posts delivered per execution, all streams together. @default 1000 */
  readonly maxTweets: number;
  /** Wall time of the execution. @default 840000 (14 minutes of a 15-minute Lambda) */
  readonly timeBudgetMs: number;
  /**
   * Time kept at the end of `timeBudgetMs` for the final commit (sink flush and checkpoint write): no
   * request or wait starts that would end after `start + timeBudgetMs - finalCommitReserveMs`. The
   * run's own margin; a Lambda's stop-before-timeout is a different one, taken off before the budget
   * (src/entrypoints/invocation-time.ts). @default 5000
   */
  readonly finalCommitReserveMs: number;
  /** @default 25 */
  readonly batchSize: number;
  /**
   * Group commit: pages written and not yet committed (sink flush + checkpoint write) before a commit.
   * A crash re-delivers at most this many pages per stream. @default 10
   */
  readonly commitPages: number;
  /** Group commit: a commit also starts at the first page boundary once this long passed since the last one. @default 2000 */
  readonly commitIntervalMs: number;
  /** Minimum time between two requests to the API. @default 1000 */
  readonly minIntervalMs: number;
  /** Share of the window used before pacing starts. @default 0.8 */
  readonly pacingThreshold: number;
  readonly retry: RetryOptions;
  /** @default 60000 */
  readonly leaseTtlMs: number;
  /** Correlation id of this execution (generated when absent). */
  readonly correlationId?: string;
  /** Price per post and the daily/monthly spend budgets. @default $0.005 per post, no budget */
  readonly spend: SpendOptions;
  /**
   * Streams that may hold a turn (a request in flight) at once, under the run's one rate limiter and
   * post budget (docs/architecture.md, "Many streams: the scheduler"). Absent: 1 (the CLI and the
   * Lambda pass their `concurrency` setting, default 2).
   */
  readonly concurrency?: number;
}

/**
 * Labelled points of the poll loop where a test can stop the process (docs/architecture.md,
 * "Failpoints"). Test-only. Those at a sink call are fired by the test-only FailpointSink
 * decorator, the one inside the store write by the store's `onWrite` option; `after_fetch` and
 * `after_checkpoint` are fired by core through `RunDependencies.failpoint`, which production never sets.
 */
export const Failpoint = {
  afterFetch: 'after_fetch',
  afterDeliveryBeforeAck: 'after_delivery_before_ack',
  afterAckBeforeCheckpoint: 'after_ack_before_checkpoint',
  duringCheckpointWrite: 'during_checkpoint_write',
  afterCheckpoint: 'after_checkpoint',
} as const;
export type FailpointLabel = (typeof Failpoint)[keyof typeof Failpoint];

/** Ports the execution runs on. compose.ts builds them. */
export interface RunDependencies {
  readonly api: XApi;
  readonly store: CheckpointStore;
  readonly sink: Sink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Rate-limit state to keep across executions of one process (a CLI loop, a warm Lambda), so the
   * first request of a run still respects the last one of the previous run.
   * @default a new RateLimiter per execution, built from the RunOptions
   */
  readonly rateLimiter?: RateLimiter;
  /**
   * Test-only hook the core calls at `after_fetch` and `after_checkpoint`; the test-only FailpointSink
   * and the store's `onWrite` fire the others. @default none
   */
  readonly failpoint?: (label: FailpointLabel) => void | Promise<void>;
  /**
   * Daily spend totals and the "credits depleted" flag, shared by every process on the same store.
   * @default none: spend is counted for this execution only and the budgets see only its reads
   */
  readonly spendLedger?: SpendLedger;
  /**
   * Typed events as they happen (requests, waits, retries, commits, skipped and failed streams), for
   * a progress display; the outcome is the RunSummary. @default none
   */
  readonly observer?: RunObserver;
}

export type StreamOutcome =
  | 'caught_up'
  | 'budget_exhausted'
  | 'deadline'
  | 'usage_capped'
  | 'spend_exhausted'
  | 'credits_depleted'
  | 'skipped_locked'
  | 'failed';

export interface StreamSummary {
  readonly stream: string;
  readonly outcome: StreamOutcome;
  readonly tweets_delivered: number;
  readonly batches: number;
  readonly since_id: string | null;
  readonly pending_until_id: string | null;
  /** Posts billed to this stream in this execution (re-reads of the same UTC day are free). */
  readonly posts_billed?: number;
  readonly error?: string;
  /** Requests this stream sent (its share of the run's `api_requests`). */
  readonly api_requests?: number;
  /** HTTP 429 answers this stream received (retried or not). */
  readonly rate_limited?: number;
  /** Rate-limit waits (pacing, reset, 429) this stream sat through. */
  readonly rate_limit_waits?: number;
  /** Times since_id was moved up past posts nobody can fetch any more (`gap` events). */
  readonly gaps?: number;
  /** The span those gaps skipped, in seconds. */
  readonly gap_seconds?: number;
  /** Seconds between the newest delivered post's created_at and its delivery; null when none was delivered. */
  readonly freshness_lag_seconds?: number | null;
  /** Age in seconds of the oldest post still owed (src/core/freshness.ts); null when nothing is owed. */
  readonly owed_age_seconds?: number | null;
  /** Wall time spent on this stream. */
  readonly duration_ms?: number;
}

/** What `runExecution` resolves with; the CLI prints it as the `execution_end` event. */
export interface RunSummary {
  readonly correlation_id: string;
  /** ISO-8601 start of the execution (from the Clock). */
  readonly started_at?: string;
  /** True only when every post visible at the start has been delivered, for every stream. */
  readonly caught_up: boolean;
  readonly tweets_delivered: number;
  readonly api_requests: number;
  readonly rate_limit_waits: number;
  /** Posts billed in this execution, every stream together. */
  readonly posts_billed: number;
  /** posts_billed x the price per post, USD. */
  readonly spend_usd: number;
  readonly duration_ms: number;
  readonly streams: readonly StreamSummary[];
}
