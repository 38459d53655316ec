/**
 * One stream of an execution as an object: its spec, logger, lease, checkpoint and counters are its own,
 * and it offers the steps the page loop needs (request a page, begin a sweep, deliver a batch, make
 * the delivered posts durable, commit the checkpoint). The checkpoint changes only in `#set`.
 */
import { callApi } from './api-caller.js';
import { isCommitFailure, markCommitFailure } from './commit-failure.js';
import { RECENT_EDGE_SLACK_MS, RECENT_SEARCH_WINDOW_MS } from './endpoints.js';
import {
  CorruptCheckpointError,
  CreditsDepletedError,
  DeadlineError,
  PollerError,
  UsageCapExceededError,
} from './errors.js';
import { owedAgeSeconds } from './freshness.js';
import { startSweep } from './frontier.js';
import { timeMsToId } from './ids.js';
import { LeaseKeeper, type LeaseSet } from './lease-keeper.js';
import type { Gate } from './pool.js';
import type { Checkpoint } from './ports/checkpoint-store.js';
import { LogEvent, type Logger, MetricName, type Metrics } from './ports/observability.js';
import type { Batch } from './ports/sink.js';
import type { ApiRequest, ApiResponse } from './ports/x-api.js';
import { classifyError, type WithRetryOptions, withRetry } from './retry.js';
import type { RunContext, StopReason } from './run-context.js';
import { Failpoint, type StreamOutcome, type StreamSummary } from './run-types.js';
import type { StreamSpec } from './stream.js';
import { StreamActivity } from './stream-activity.js';
import { firstCheckpoint, oldestRecentSinceId, resolveUserId, skipGap } from './stream-setup.js';

/** What the scheduler tells a session: when it may fetch, and how many posts it may still deliver. */
export interface TurnSource {
  /** Resolves when the stream may request its next page (null), or with the reason it must stop. */
  next(): Promise<StopReason | null>;
  /** The page is fetched: another stream may request while this one delivers. */
  release(): void;
  /** Posts the stream may still deliver in this run (its share minus what it handed over). */
  remaining(): number;
  /** True when the stream's next page is due right after this one: reading it ahead is worth it. */
  nextIsMine(): boolean;
}

/** Until the scheduler attaches: one stream alone, with the whole post budget. */
function soloTurns(run: RunContext, session: StreamSession): TurnSource {
  const remaining = (): number => Math.max(0, run.options.maxTweets - session.handedOver);
  return {
    next: async () => run.stopReason() ?? (remaining() > 0 ? null : 'budget_exhausted'),
    release: () => undefined,
    remaining,
    nextIsMine: () => true,
  };
}

/**
 * The `code` and `reason` of an `error` event. The text is `reason`, not `message`: Powertools
 * reserves `message` (it holds the event name) and would drop it, and the CLI uses the same name.
 */
function describe(err: unknown): { code: string; reason: string } {
  if (err instanceof PollerError) return { code: err.code, reason: err.message };
  if (err instanceof Error) return { code: 'internal', reason: `${err.name}: ${err.message}` };
  return { code: 'internal', reason: String(err) };
}

/** Per-stream settings from the config that only the scheduler reads. */
export interface SessionOptions {
  /** Share of the run's budgets relative to the other streams. @default 1 */
  readonly weight: number;
}

/** One stream being polled in one execution, from its lease to its summary. */
export class StreamSession {
  readonly #run: RunContext;
  readonly #spec: StreamSpec;
  readonly #logger: Logger;
  readonly #lease: LeaseKeeper;
  readonly #leases: LeaseSet;
  readonly #userId: string | undefined;
  /** As loaded: the fair-share lag the run started with. */
  readonly #startLag: number;
  #checkpoint: Checkpoint;
  /** Posts the sink acknowledged, committed or not: what the share is spent by. */
  #handedOver = 0;
  /** Posts (and batches) committed: sink flushed, checkpoint saved. What the summary reports. */
  #delivered = 0;
  #batches = 0;
  /** Posts of the page being delivered, taken against the share but not yet written. */
  #held = 0;
  #turns: TurnSource;
  readonly #activity: StreamActivity;

  private constructor(
    run: RunContext,
    spec: StreamSpec,
    logger: Logger,
    lease: LeaseKeeper,
    leases: LeaseSet,
    checkpoint: Checkpoint,
    userId: string | undefined,
    activity: StreamActivity,
  ) {
    this.#activity = activity;
    this.#run = run;
    this.#spec = spec;
    this.#logger = logger;
    this.#lease = lease;
    this.#leases = leases;
    this.#checkpoint = checkpoint;
    this.#userId = userId;
    this.#startLag = checkpoint.fairLag ?? 0;
    this.#turns = soloTurns(run, this);
  }

  /**
   * Takes the stream's lease, loads its checkpoint (a corrupt one fails, never resets), resolves a
   * username once, writes the first checkpoint, and moves a since_id the 7-day window left behind.
   * Resolves with the session, or with the stream's summary when it cannot be polled in this run
   * (skipped: lease held elsewhere; failed). Never rejects.
   */
  static async open(
    run: RunContext,
    spec: StreamSpec,
    leases: LeaseSet,
    lookups?: Gate,
  ): Promise<StreamSession | StreamSummary> {
    const logger = run.logger.child({ stream: spec.name });
    const activity = new StreamActivity(run.now());
    const early = run.stopReason();
    if (early !== null) return summaryOf(spec.name, early, null, 0, 0);
    const { store } = run.deps;
    let keeper: LeaseKeeper;
    try {
      const acquired = await store.acquireLease(
        spec.name,
        run.correlationId,
        run.options.leaseTtlMs,
        run.now(),
      );
      if (acquired === null) {
        logger.log('info', LogEvent.streamSkipped, { stream: spec.name, reason: 'locked' });
        run.emit({ type: 'stream_skipped', stream: spec.name, reason: 'locked' });
        return summaryOf(spec.name, 'skipped_locked', null, 0, 0);
      }
      keeper = new LeaseKeeper(store, acquired, run.options.leaseTtlMs, run.deps.clock);
    } catch (err) {
      return failure(run, spec.name, logger, null, 0, 0, err);
    }
    leases.add(keeper);
    let loaded: Checkpoint | null = null;
    try {
      loaded = await store.load(spec.name); // CorruptCheckpointError: reported, never reset here
      const guard = { ensure: (forMs?: number) => leases.ensure(keeper, forMs) };
      const userId = await resolveUserId(run, spec, loaded, logger, guard, activity, lookups);
      let checkpoint = loaded ?? firstCheckpoint(spec, run.stamp(), userId);
      if (userId !== undefined && checkpoint.userId === undefined) checkpoint = { ...checkpoint, userId };
      const floor = isRecent(spec) ? oldestRecentSinceId(run.now()) : undefined;
      if (floor !== undefined)
        checkpoint = skipGap(checkpoint, floor, run.stamp(), run, logger, (s) => activity.countGap(s));
      const session = new StreamSession(
        run,
        spec,
        logger,
        keeper,
        leases,
        loaded ?? checkpoint,
        userId,
        activity,
      );
      if (checkpoint !== loaded) await session.commit(checkpoint);
      return session;
    } catch (err) {
      const summary = failure(run, spec.name, logger, null, 0, 0, err);
      await releaseLease(keeper, leases, logger, spec.name, run.deps.metrics);
      return summary;
    }
  }

  get name(): string {
    return this.#spec.name;
  }
  get spec(): StreamSpec {
    return this.#spec;
  }
  get logger(): Logger {
    return this.#logger;
  }
  get run(): RunContext {
    return this.#run;
  }
  get userId(): string | undefined {
    return this.#userId;
  }
  get checkpoint(): Checkpoint {
    return this.#checkpoint;
  }
  /** Posts committed (written, flushed, checkpointed): the stream's `tweets_delivered`. */
  get delivered(): number {
    return this.#delivered;
  }
  /**
   * Posts the sink acknowledged, committed or not. The scheduler shares max_tweets on this count, so
   * a page written and not yet committed is already spent, and a failed commit gives nothing back.
   */
  get handedOver(): number {
    return this.#handedOver;
  }
  /** Handed over plus the posts of the page in delivery: what the share must not drop below. */
  get claimed(): number {
    return this.#handedOver + this.#held;
  }
  /** The page in delivery takes `posts` of the share (0 when it is done). */
  hold(posts: number): void {
    this.#held = posts;
  }
  /** What this stream did in this run: requests, 429s, waits, gaps, freshness. */
  get activity(): StreamActivity {
    return this.#activity;
  }
  /** The fair-share lag this stream started the run with (0 when the store has none). */
  get lag(): number {
    return this.#startLag;
  }

  /** Connects the session to the run's scheduler. */
  attach(turns: TurnSource): void {
    this.#turns = turns;
  }

  /** Waits for this stream's next page; resolves with a stop reason instead when it must stop. */
  turn(): Promise<StopReason | null> {
    return this.#turns.next();
  }

  /** Gives the turn back once the page is fetched: the next stream requests while this one delivers. */
  releaseTurn(): void {
    this.#turns.release();
  }

  /** Posts this stream may still deliver in this run. */
  get remaining(): number {
    return this.#turns.remaining();
  }

  /** True when reading this stream's next page ahead is worth it (it is next, and its share wants it). */
  mayReadAhead(afterPosts: number): boolean {
    return this.remaining > afterPosts && this.#turns.nextIsMine();
  }

  /** Recent search: its since_id must stay inside the 7-day window. */
  get recent(): boolean {
    return isRecent(this.#spec);
  }

  /** Where since_id moves up to when the window overtakes it (edge plus a margin), else undefined. */
  floorSinceId(): string | undefined {
    return this.recent ? oldestRecentSinceId(this.#run.now()) : undefined;
  }

  /** The lowest since_id a request may still carry now (recent search's moving 7-day edge), else undefined. */
  edgeSinceId(): string | undefined {
    return this.recent
      ? timeMsToId(this.#run.now() - RECENT_SEARCH_WINDOW_MS + RECENT_EDGE_SLACK_MS)
      : undefined;
  }

  /** Keeps this stream's lease (a loss rejects) and the other open streams' leases through a wait. */
  ensure(forMs = 0): Promise<void> {
    return this.#leases.ensure(this.#lease, forMs);
  }

  /** One paced, retried request for this stream; `cancel` gives it up while it is not sent (callApi). */
  request<T>(request: ApiRequest, cancel?: AbortSignal): Promise<ApiResponse<T>> {
    return callApi<T>(this.#run, request, this.#logger, this, this.#activity, cancel);
  }

  /** A new sweep starts with this page (held in memory; written with the page's commit). */
  beginSweep(newestId: string): void {
    this.#set(startSweep(this.#checkpoint, newestId));
  }

  /** Conditional write of the next checkpoint under the stream's lease, logged as `checkpoint_update`. */
  async commit(next: Checkpoint): Promise<void> {
    try {
      await this.#lease.ensure();
      await this.#run.deps.store.save(next, this.#lease.lease);
    } catch (error) {
      throw markCommitFailure(error);
    }
    this.#set(next);
    await this.#run.deps.failpoint?.(Failpoint.afterCheckpoint);
    this.#logger.log('info', LogEvent.checkpointUpdate, {
      stream: next.stream,
      since_id: next.sinceId,
      until_id: next.sweep?.untilId ?? null,
      sweep_newest_id: next.sweep?.newestId ?? null,
    });
  }

  #set(next: Checkpoint): void {
    this.#checkpoint = next;
  }

  /**
   * Writes one batch to the sink (retried) and logs it. The posts are handed over, not yet delivered:
   * they count once their commit succeeds ({@link countCommitted}).
   */
  async deliver(batch: Batch): Promise<void> {
    await withRetry(
      () => this.#run.deps.sink.write(batch, this.#run.signal),
      this.sinkRetry(this.#run.signal),
    );
    const count = batch.tweets.length;
    this.#run.counters.countHandedOver(count);
    this.#handedOver += count;
    this.#held = Math.max(0, this.#held - count);
    this.#logger.log('info', LogEvent.batch, { stream: this.#spec.name, batch_id: batch.batch_id, count });
  }

  /**
   * A commit succeeded (sink flushed, checkpoint saved): its `posts` in `batches` are delivered. The
   * only place delivered counts and TweetsProcessed move, so a flush that fails counts nothing.
   */
  countCommitted(posts: number, batches: number): void {
    const { metrics } = this.#run.deps;
    this.#run.counters.countDelivered(posts);
    this.#delivered += posts;
    this.#batches += batches;
    metrics.add(MetricName.tweetsProcessed, posts, 'Count');
    metrics.add(MetricName.batchesDelivered, batches, 'Count');
    this.#run.emit({ type: 'committed', stream: this.#spec.name, posts, batches });
  }

  /** Makes everything written durable. Not abortable: a stop lands here to save what was delivered. */
  async flush(): Promise<void> {
    await withRetry(() => this.#run.deps.sink.flush(), this.sinkRetry(undefined)).catch((error: unknown) => {
      throw markCommitFailure(error);
    });
  }

  /** Retries of a sink call: backoff as for the API, the leases kept through the wait, logged. */
  private sinkRetry(signal: AbortSignal | undefined): WithRetryOptions {
    return {
      retry: this.#run.options.retry,
      clock: this.#run.deps.clock,
      deadlineMs: this.#run.deadlineMs,
      ...(signal === undefined ? {} : { signal }),
      onRetry: async (e) => {
        await this.ensure(e.delayMs);
        this.#run.deps.metrics.add(MetricName.errorsEncountered, 1, 'Count');
        this.#logger.log('warn', LogEvent.retry, {
          stream: this.#spec.name,
          attempt: e.attempt,
          delay_ms: e.delayMs,
          code: 'sink',
        });
        this.#run.emit({ type: 'retry', code: 'sink', attempt: e.attempt, delayMs: e.delayMs });
      },
    };
  }

  /** The stream's summary with `outcome`. */
  summary(outcome: StreamOutcome, error?: string): StreamSummary {
    return this.#withActivity(
      summaryOf(this.#spec.name, outcome, this.#checkpoint, this.#delivered, this.#batches, error),
    );
  }

  /** The stream's share of the run's counters and its freshness (src/core/freshness.ts). */
  #withActivity(summary: StreamSummary): StreamSummary {
    const a = this.#activity;
    const nowMs = this.#run.now();
    return {
      ...summary,
      api_requests: a.apiRequests,
      rate_limited: a.rateLimited,
      rate_limit_waits: a.rateLimitWaits,
      gaps: a.gaps,
      gap_seconds: a.gapSeconds,
      freshness_lag_seconds: a.freshnessLagSeconds ?? null,
      owed_age_seconds: owedAgeSeconds(this.#checkpoint, nowMs),
      duration_ms: nowMs - a.startedMs,
    };
  }

  /** Logs the stream's freshness (`freshness` event, FreshnessLagSeconds when a post was delivered). */
  reportFreshness(summary: StreamSummary): void {
    const lag = this.#activity.freshnessLagSeconds;
    if (lag !== undefined) this.#run.deps.metrics.add(MetricName.freshnessLagSeconds, lag, 'Seconds');
    this.#logger.log('info', LogEvent.freshness, {
      stream: this.#spec.name,
      freshness_lag_seconds: summary.freshness_lag_seconds ?? null,
      owed_age_seconds: summary.owed_age_seconds ?? null,
    });
  }

  /** The summary of a stream stopped by `err`: a deadline, the usage cap, or a failure (logged as `error`). */
  failed(err: unknown): StreamSummary {
    return this.#withActivity(
      failure(
        this.#run,
        this.#spec.name,
        this.#logger,
        this.#checkpoint,
        this.#delivered,
        this.#batches,
        err,
      ),
    );
  }

  /** Stores the lag the scheduler computed for the next run (only when it changed). */
  async saveLag(lag: number): Promise<void> {
    if (lag === (this.#checkpoint.fairLag ?? 0)) return;
    const { fairLag: _old, ...rest } = this.#checkpoint;
    await this.commit(lag === 0 ? rest : { ...rest, fairLag: lag });
  }

  /** Gives the lease up (a failure to do so is logged: the lease then simply expires). */
  async close(): Promise<void> {
    await releaseLease(this.#lease, this.#leases, this.#logger, this.#spec.name, this.#run.deps.metrics);
  }
}

function isRecent(spec: StreamSpec): boolean {
  return spec.source.kind === 'search' && !spec.source.archive;
}

async function releaseLease(
  keeper: LeaseKeeper,
  leases: LeaseSet,
  logger: Logger,
  stream: string,
  metrics: Metrics,
): Promise<void> {
  leases.delete(keeper);
  await keeper.release().catch((err: unknown) => {
    logger.log('warn', LogEvent.error, { stream, ...describe(err), retryable: false, during: 'release' });
    metrics.add(MetricName.errorsEncountered, 1, 'Count');
  });
}

function summaryOf(
  stream: string,
  outcome: StreamOutcome,
  checkpoint: Checkpoint | null,
  delivered: number,
  batches: number,
  error?: string,
): StreamSummary {
  return {
    stream,
    outcome,
    tweets_delivered: delivered,
    batches,
    since_id: checkpoint?.sinceId ?? null,
    pending_until_id: checkpoint?.sweep ? (checkpoint.sweep.untilId ?? checkpoint.sweep.newestId) : null,
    ...(error === undefined ? {} : { error }),
  };
}

function failure(
  run: RunContext,
  stream: string,
  logger: Logger,
  checkpoint: Checkpoint | null,
  delivered: number,
  batches: number,
  err: unknown,
): StreamSummary {
  // A failed commit is a failure even when the deadline or an abort arrived meanwhile (commit-failure.ts).
  if (!isCommitFailure(err) && (err instanceof DeadlineError || (run.signal?.aborted ?? false))) {
    return summaryOf(stream, 'deadline', checkpoint, delivered, batches);
  }
  // Logged once as credits_depleted (SpendAccount); every stream stops with its state saved.
  if (err instanceof CreditsDepletedError)
    return summaryOf(stream, 'credits_depleted', checkpoint, delivered, batches, err.message);
  const { code, reason: message } = describe(err);
  const retryable = classifyError(err).retryable;
  logger.log('error', LogEvent.error, { stream, code, reason: message, retryable });
  run.deps.metrics.add(MetricName.errorsEncountered, 1, 'Count');
  const capped = err instanceof UsageCapExceededError;
  run.emit({
    type: 'stream_error',
    stream,
    outcome: capped ? 'usage_capped' : 'failed',
    code,
    reason: message,
  });
  if (capped) {
    run.counters.markUsageCapped();
    run.deps.metrics.add(MetricName.usageCapped, 1, 'Count');
    return summaryOf(stream, 'usage_capped', checkpoint, delivered, batches, message);
  }
  const text =
    err instanceof CorruptCheckpointError ? `${message} (reset it explicitly to start over)` : message;
  return summaryOf(stream, 'failed', checkpoint, delivered, batches, text);
}
