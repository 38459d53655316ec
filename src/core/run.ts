/**
 * runExecution: one execution of the poller over its streams. Every stream is opened (lease,
 * checkpoint), then the scheduler interleaves them page by page within the run's budgets; a failed
 * stream does not stop the others. Everything it needs arrives as ports; it never reads the environment
 * or the real clock.
 */
import { nextLags } from './fair-share.js';
import { LeaseSet } from './lease-keeper.js';
import { Gate, mapLimit } from './pool.js';
import { LogEvent, MetricName } from './ports/observability.js';
import { RateLimiter } from './rate-limiter.js';
import { RunContext } from './run-context.js';
import type { RunDependencies, RunOptions, RunSummary, StreamSummary } from './run-types.js';
import { FairScheduler, type ScheduledResult } from './scheduler.js';
import { SpendAccount } from './spend-account.js';
import type { StreamSpec } from './stream.js';
import { runSession } from './stream-runner.js';
import { StreamSession } from './stream-session.js';

/**
 * Streams opened (and closed) at once: their store reads and writes overlap. 100 streams on DynamoDB
 * at 5 ms a round trip: 2.4 s to the first page request one after another, 0.5 s 16 at a time
 * (bench/open-close.ts; bench/README.md, "Session 7").
 */
const STREAMS_AT_ONCE = 16;

/** A correlation id when the caller gave none: Web Crypto's UUID where present (Node 20 has it). */
function newCorrelationId(nowMs: number): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  return uuid ?? `exec-${nowMs.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Runs every stream once within the budgets of `options`, sharing them fairly (by `weight`), and
 * resolves with the summary (also logged as `execution_end`). Never rejects because of one stream: its
 * failure is its outcome. `signal` stops the execution like the deadline does: state saved, outcome
 * `deadline`.
 */
export async function runExecution(
  deps: RunDependencies,
  streams: readonly StreamSpec[],
  options: RunOptions,
  signal?: AbortSignal,
): Promise<RunSummary> {
  const started = deps.clock.now();
  const correlationId = options.correlationId ?? newCorrelationId(started);
  const limiter =
    deps.rateLimiter ??
    new RateLimiter({
      clock: deps.clock,
      minIntervalMs: options.minIntervalMs,
      pacingThreshold: options.pacingThreshold,
    });
  const spend = await SpendAccount.open(options.spend, {
    clock: deps.clock,
    logger: deps.logger.child({ correlation_id: correlationId }),
    metrics: deps.metrics,
    ...(deps.spendLedger === undefined ? {} : { ledger: deps.spendLedger }),
    ...(deps.observer === undefined ? {} : { observer: deps.observer }),
  });
  const run = new RunContext(deps, options, correlationId, started, limiter, signal, spend);
  run.logger.log('info', LogEvent.executionStart, {
    correlation_id: correlationId,
    streams: streams.map((s) => s.name),
    max_tweets: options.maxTweets,
    time_budget_ms: options.timeBudgetMs,
  });
  const leases = new LeaseSet();
  const byName = new Map<string, StreamSummary>();
  const sessions: StreamSession[] = [];
  // Opened STREAMS_AT_ONCE at a time (a lease, a load, a first checkpoint: store round trips); a
  // username lookup goes through the same `concurrency` slots as the pages' requests.
  const lookups = new Gate(run.concurrency);
  const opened = await mapLimit(streams, STREAMS_AT_ONCE, (spec) =>
    StreamSession.open(run, spec, leases, lookups),
  );
  streams.forEach((spec, i) => {
    const result = opened[i] as StreamSession | StreamSummary;
    if (result instanceof StreamSession) sessions.push(result);
    else byName.set(spec.name, result);
  });
  const weights = new Map(streams.map((s) => [s.name, s.weight ?? 1]));
  const scheduled = await new FairScheduler(run, leases).run(
    sessions,
    (s) => weights.get(s.name) ?? 1,
    runSession,
  );
  await closeSessions(run, scheduled, weights);
  const shares = new Map(scheduled.map((r) => [r.session.name, r.share]));
  for (const r of scheduled) {
    byName.set(r.session.name, { ...r.summary, posts_billed: spend.billedBy(r.session.name) });
    r.session.reportFreshness(r.summary);
  }
  const results = streams.map((s) => byName.get(s.name) as StreamSummary);
  const durationMs = deps.clock.now() - started;
  const summary: RunSummary = {
    correlation_id: correlationId,
    started_at: new Date(started).toISOString(),
    caught_up: results.every((r) => r.outcome === 'caught_up'),
    tweets_delivered: run.counters.delivered,
    api_requests: run.counters.apiRequests,
    rate_limit_waits: run.counters.rateLimitWaits,
    posts_billed: spend.runBilled,
    spend_usd: spend.usd(spend.runBilled),
    duration_ms: durationMs,
    streams: results,
  };
  deps.metrics.add(MetricName.executionDurationSeconds, durationMs / 1000, 'Seconds');
  deps.metrics.add(MetricName.spendUsd, summary.spend_usd, 'None');
  run.logger.log('info', LogEvent.executionEnd, {
    correlation_id: correlationId,
    caught_up: summary.caught_up,
    tweets_delivered: summary.tweets_delivered,
    api_requests: summary.api_requests,
    rate_limit_waits: summary.rate_limit_waits,
    posts_billed: summary.posts_billed,
    spend_usd: summary.spend_usd,
    duration_ms: durationMs,
    streams: results.map((r) => ({
      stream: r.stream,
      outcome: r.outcome,
      tweets_delivered: r.tweets_delivered,
      posts_billed: r.posts_billed,
      api_requests: r.api_requests,
      rate_limited: r.rate_limited,
      rate_limit_waits: r.rate_limit_waits,
      gaps: r.gaps,
      freshness_lag_seconds: r.freshness_lag_seconds,
      owed_age_seconds: r.owed_age_seconds,
      weight: weights.get(r.stream) ?? 1,
      share: shares.get(r.stream) ?? 0,
      delivered: r.tweets_delivered,
    })),
    ...(deps.metrics.totals === undefined ? {} : { metrics: deps.metrics.totals() }),
  });
  return summary;
}

/**
 * Saves each stream's lag for the next run's order (not after an abort: the stop comes first), then
 * releases every lease. A lag that cannot be saved only costs fairness: logged, never a failure.
 */
async function closeSessions(
  run: RunContext,
  scheduled: readonly ScheduledResult[],
  weights: ReadonlyMap<string, number>,
): Promise<void> {
  const lags = nextLags(
    scheduled.map((r) => ({
      weight: weights.get(r.session.name) ?? 1,
      delivered: r.summary.tweets_delivered,
      backlog: [
        'budget_exhausted',
        'deadline',
        'usage_capped',
        'spend_exhausted',
        'credits_depleted',
      ].includes(r.summary.outcome),
      caughtUp: r.summary.outcome === 'caught_up',
      lag: r.session.lag,
    })),
  );
  await mapLimit([...scheduled.entries()], STREAMS_AT_ONCE, async ([i, r]) => {
    if (!(run.signal?.aborted ?? false) && r.summary.outcome !== 'failed') {
      await r.session.saveLag(lags[i] as number).catch((err: unknown) => {
        r.session.logger.log('warn', LogEvent.error, {
          stream: r.session.name,
          code: 'fair_share_lag',
          reason: err instanceof Error ? err.message : String(err),
          retryable: true,
          during: 'fair_share',
        });
      });
    }
    await r.session.close();
  });
}
