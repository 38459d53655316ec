/** State shared by the streams of one execution: ports, budgets, counters and the rate limiter. */
import { DeadlineError } from './errors.js';
import { type Logger, MetricName } from './ports/observability.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RunDependencies, RunOptions } from './run-types.js';

/** Why a stream (or the whole run) stops before it is caught up. */
export type StopReason = 'budget_exhausted' | 'deadline' | 'usage_capped';

/** A reading of an execution's counters. */
export interface ExecutionCounters {
  readonly apiRequests: number;
  readonly rateLimited: number;
  readonly rateLimitWaits: number;
  readonly gaps: number;
  readonly gapSeconds: number;
}

/** One execution's shared state; one instance per `runExecution` call. */
export class Execution {
  delivered = 0;
  apiRequests = 0;
  rateLimitWaits = 0;
  /** HTTP 429 answers received. */
  rateLimited = 0;
  /** `gap` events and the seconds they skipped. */
  gaps = 0;
  gapSeconds = 0;
  /** Set once the monthly cap is hit: it is per project, so every later stream would hit it too. */
  usageCapped = false;
  readonly logger: Logger;

  constructor(
    readonly deps: RunDependencies,
    readonly options: RunOptions,
    readonly correlationId: string,
    readonly startedMs: number,
    readonly limiter: RateLimiter,
    readonly signal: AbortSignal | undefined,
  ) {
    this.logger = deps.logger.child({ correlation_id: correlationId });
  }

  /** start + timeBudgetMs - safetyMarginMs: nothing starts that would end after it. */
  get deadlineMs(): number {
    return this.startedMs + this.options.timeBudgetMs - this.options.safetyMarginMs;
  }

  get remainingBudget(): number {
    return Math.max(0, this.options.maxTweets - this.delivered);
  }

  /** The reason to stop now, if any (checked before every request and every batch). */
  stopReason(): StopReason | null {
    if (this.usageCapped) return 'usage_capped';
    if (this.signal?.aborted || this.deps.clock.now() >= this.deadlineMs) return 'deadline';
    if (this.remainingBudget <= 0) return 'budget_exhausted';
    return null;
  }

  /** Throws DeadlineError once the deadline passed or the signal aborted. */
  checkDeadline(): void {
    if (this.signal?.aborted)
      throw new DeadlineError('the execution was aborted', { cause: this.signal.reason });
    if (this.deps.clock.now() >= this.deadlineMs) throw new DeadlineError('the time budget is spent');
  }

  /** The counters a stream's share is measured by (streams run in turn: the difference is theirs). */
  counters(): ExecutionCounters {
    return {
      apiRequests: this.apiRequests,
      rateLimited: this.rateLimited,
      rateLimitWaits: this.rateLimitWaits,
      gaps: this.gaps,
      gapSeconds: this.gapSeconds,
    };
  }

  countRateLimitWait(): void {
    this.rateLimitWaits++;
    this.deps.metrics.add(MetricName.rateLimitWaits, 1, 'Count');
  }
}
