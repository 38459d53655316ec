/**
 * What every stream of one execution shares: a read-only run context (ports, options, signal, rate
 * limiter, deadline) and the run's counters. Each stream's own state lives in its StreamSession.
 */
import { DeadlineError } from './errors.js';
import type { WriteStamp } from './frontier.js';
import { type Logger, MetricName, type Metrics } from './ports/observability.js';
import type { RunEvent } from './ports/run-events.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RunDependencies, RunOptions } from './run-types.js';
import type { SpendAccount } from './spend-account.js';

/** Why a stream (or the whole run) stops before it is caught up. */
export type StopReason =
  | 'budget_exhausted'
  | 'deadline'
  | 'usage_capped'
  | 'spend_exhausted'
  | 'credits_depleted';

/**
 * The run's totals. Only its own methods change them; everyone else reads.
 *
 * Two counts of posts: `handedOver` moves when the sink acknowledges a batch (`write`), `delivered`
 * only when a commit succeeds (the sink flushed, the checkpoint saved). `tweets_delivered`,
 * TweetsProcessed and the run history are `delivered`; the post budget (max_tweets) is shared on
 * `handedOver`, so that posts written and not yet committed are already spent (docs/architecture.md,
 * "Counters count commits").
 */
export class RunCounters {
  #handedOver = 0;
  #delivered = 0;
  #apiRequests = 0;
  #rateLimitWaits = 0;
  #usageCapped = false;
  #pagesSinceCommit = 0;

  constructor(private readonly metrics: Metrics) {}

  /**
   * Pages written by any stream of the run since any stream last started a commit. The sink is the
   * run's (one flush makes every stream's written lines durable), so this is what it holds unflushed.
   */
  get pagesSinceCommit(): number {
    return this.#pagesSinceCommit;
  }

  /** Posts written to the sink and committed: what `tweets_delivered` reports. */
  get delivered(): number {
    return this.#delivered;
  }
  /** Posts the sink acknowledged, committed or not: what the post budget is spent by. */
  get handedOver(): number {
    return this.#handedOver;
  }
  get apiRequests(): number {
    return this.#apiRequests;
  }
  get rateLimitWaits(): number {
    return this.#rateLimitWaits;
  }
  /** Set once the monthly cap is hit: it is per project, so every other stream would hit it too. */
  get usageCapped(): boolean {
    return this.#usageCapped;
  }

  /** The sink acknowledged a batch of `posts`. */
  countHandedOver(posts: number): void {
    this.#handedOver += posts;
  }
  /** A commit made `posts` durable and checkpointed: they are delivered. */
  countDelivered(posts: number): void {
    this.#delivered += posts;
  }
  countRequest(): void {
    this.#apiRequests++;
    this.metrics.add(MetricName.apiRequests, 1, 'Count');
  }
  countRateLimitWait(): void {
    this.#rateLimitWaits++;
    this.metrics.add(MetricName.rateLimitWaits, 1, 'Count');
  }
  markUsageCapped(): void {
    this.#usageCapped = true;
  }
  countPageWritten(): void {
    this.#pagesSinceCommit++;
  }
  countCommitStarted(): void {
    this.#pagesSinceCommit = 0;
  }
}

/** One execution's read-only context; one instance per `runExecution` call. */
export class RunContext {
  readonly logger: Logger;
  readonly counters: RunCounters;

  constructor(
    readonly deps: RunDependencies,
    readonly options: RunOptions,
    readonly correlationId: string,
    readonly startedMs: number,
    readonly limiter: RateLimiter,
    readonly signal: AbortSignal | undefined,
    /** Posts billed, the spend budgets and the credits flag (src/core/spend-account.ts). */
    readonly spend: SpendAccount,
  ) {
    this.logger = deps.logger.child({ correlation_id: correlationId });
    this.counters = new RunCounters(deps.metrics);
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Tells the run's observer (the CLI's progress and human lines), if any. */
  emit(event: RunEvent): void {
    this.deps.observer?.onEvent(event);
  }

  /** Requests the run may have in flight at once (`RunOptions.concurrency`, at least 1). */
  get concurrency(): number {
    return Math.max(1, Math.floor(this.options.concurrency ?? 1));
  }

  /** start + timeBudgetMs - finalCommitReserveMs: nothing starts that would end after it. */
  get deadlineMs(): number {
    return this.startedMs + this.options.timeBudgetMs - this.options.finalCommitReserveMs;
  }

  /** Who writes, and when: the stamp of a checkpoint written now. */
  stamp(): WriteStamp {
    return { nowMs: this.now(), writer: this.correlationId };
  }

  /**
   * The reason every stream stops now, if any: the usage cap, the credits (a 402 here or in another
   * process on the store), the deadline or the abort signal, or the spend budgets (shared by every
   * stream, so no stream may read another post).
   */
  stopReason(): Exclude<StopReason, 'budget_exhausted'> | null {
    if (this.counters.usageCapped) return 'usage_capped';
    if (this.spend.depleted) return 'credits_depleted';
    if (this.signal?.aborted || this.now() >= this.deadlineMs) return 'deadline';
    if (this.spend.room() <= 0) return 'spend_exhausted';
    return null;
  }

  /** Throws DeadlineError once the deadline passed or the signal aborted. */
  checkDeadline(): void {
    if (this.signal?.aborted)
      throw new DeadlineError('the execution was aborted', { cause: this.signal.reason });
    if (this.now() >= this.deadlineMs) throw new DeadlineError('the time budget is spent');
  }
}
