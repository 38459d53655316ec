/**
 * runExecution: one execution of the poller over its streams, in turn. A failed stream does not stop
 * the others. Everything it needs arrives as ports; it never reads the environment or the real clock.
 */
import { Execution } from './execution.js';
import { LogEvent, MetricName } from './ports/observability.js';
import { RateLimiter } from './rate-limiter.js';
import type { RunDependencies, RunOptions, RunSummary, StreamSummary } from './run-types.js';
import type { StreamSpec } from './stream.js';
import { runStream } from './stream-runner.js';

/** A correlation id when the caller gave none: Web Crypto's UUID where present (Node 20 has it). */
function newCorrelationId(nowMs: number): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  return uuid ?? `exec-${nowMs.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Runs every stream once, in turn, within the budgets of `options`, and resolves with the summary
 * (also logged as `execution_end`). Never rejects because of one stream: its failure is its outcome.
 * `signal` stops the execution like the deadline does: state saved, outcome `deadline`.
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
  const ex = new Execution(deps, options, correlationId, started, limiter, signal);
  ex.logger.log('info', LogEvent.executionStart, {
    correlation_id: correlationId,
    streams: streams.map((s) => s.name),
    max_tweets: options.maxTweets,
    time_budget_ms: options.timeBudgetMs,
  });
  const results: StreamSummary[] = [];
  for (const spec of streams) results.push(await runStream(ex, spec));
  const durationMs = deps.clock.now() - started;
  const summary: RunSummary = {
    correlation_id: correlationId,
    started_at: new Date(started).toISOString(),
    caught_up: results.every((r) => r.outcome === 'caught_up'),
    tweets_delivered: ex.delivered,
    api_requests: ex.apiRequests,
    rate_limit_waits: ex.rateLimitWaits,
    duration_ms: durationMs,
    streams: results,
  };
  deps.metrics.add(MetricName.executionDurationSeconds, durationMs / 1000, 'Seconds');
  ex.logger.log('info', LogEvent.executionEnd, {
    correlation_id: correlationId,
    caught_up: summary.caught_up,
    tweets_delivered: summary.tweets_delivered,
    api_requests: summary.api_requests,
    rate_limit_waits: summary.rate_limit_waits,
    duration_ms: durationMs,
    streams: results.map((r) => ({
      stream: r.stream,
      outcome: r.outcome,
      tweets_delivered: r.tweets_delivered,
      api_requests: r.api_requests,
      rate_limited: r.rate_limited,
      rate_limit_waits: r.rate_limit_waits,
      gaps: r.gaps,
      freshness_lag_seconds: r.freshness_lag_seconds,
      owed_age_seconds: r.owed_age_seconds,
    })),
  });
  return summary;
}
