/**
 * One stream of an execution: lease, checkpoint, user id, the pending sweep, a new sweep; the outcome.
 * Failures end this stream only; the lease is released whatever happens.
 */

import { isCommitFailure } from './commit-failure.js';
import { RECENT_EDGE_SLACK_MS, RECENT_SEARCH_WINDOW_MS, RECENT_WINDOW_MARGIN_MS } from './endpoints.js';
import {
  CorruptCheckpointError,
  DeadlineError,
  PollerError,
  StaleSinceIdError,
  UsageCapExceededError,
} from './errors.js';
import type { Execution } from './execution.js';
import { owedAgeSeconds } from './freshness.js';
import type { WriteStamp } from './frontier.js';
import { compareIds, idToTimeMs, maxId, timeMsToId } from './ids.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { Lease } from './ports/checkpoint-store.js';
import { LogEvent, type Logger, MetricName } from './ports/observability.js';
import { classifyError } from './retry.js';
import type { StreamOutcome, StreamSummary } from './run-types.js';
import type { StreamSpec } from './stream.js';
import { firstCheckpoint, oldestRecentSinceId, resolveUserId, skipGap } from './stream-setup.js';
import { runSweep, type StreamState, type SweepContext, type SweepEnd, saveCheckpoint } from './sweep.js';

/** How many times one run moves a since_id the API called stale before giving up. */
const STALE_RETRIES = 2;

function summary(
  spec: StreamSpec,
  outcome: StreamOutcome,
  state: StreamState | null,
  error?: string,
): StreamSummary {
  return {
    stream: spec.name,
    outcome,
    tweets_delivered: state?.delivered ?? 0,
    batches: state?.batches ?? 0,
    since_id: state?.checkpoint.since_id ?? null,
    pending_until_id: state?.checkpoint.sweep
      ? (state.checkpoint.sweep.until_id ?? state.checkpoint.sweep.newest_id)
      : null,
    ...(error === undefined ? {} : { error }),
  };
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof PollerError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: `${err.name}: ${err.message}` };
  return { code: 'internal', message: String(err) };
}

/**
 * Polls one stream to its outcome; never throws (a failure is the `failed` outcome plus an `error` event).
 * The summary carries the stream's share of the counters and its freshness, also logged as `freshness`.
 */
export async function runStream(ex: Execution, spec: StreamSpec): Promise<StreamSummary> {
  const before = ex.counters();
  const startedMs = ex.deps.clock.now();
  const seen: { state: StreamState | null } = { state: null };
  const result = await pollToOutcome(ex, spec, (s) => {
    seen.state = s;
  });
  const nowMs = ex.deps.clock.now();
  const after = ex.counters();
  const final = seen.state;
  const activity: StreamSummary = {
    ...result,
    api_requests: after.apiRequests - before.apiRequests,
    rate_limited: after.rateLimited - before.rateLimited,
    rate_limit_waits: after.rateLimitWaits - before.rateLimitWaits,
    gaps: after.gaps - before.gaps,
    gap_seconds: after.gapSeconds - before.gapSeconds,
    freshness_lag_seconds: final?.freshnessLagSeconds ?? null,
    owed_age_seconds: owedAgeSeconds(final?.checkpoint ?? null, nowMs),
    duration_ms: nowMs - startedMs,
  };
  if (final?.freshnessLagSeconds !== undefined)
    ex.deps.metrics.add(MetricName.freshnessLagSeconds, final.freshnessLagSeconds, 'Seconds');
  if (final !== null) {
    ex.logger.log('info', LogEvent.freshness, {
      stream: spec.name,
      freshness_lag_seconds: activity.freshness_lag_seconds,
      owed_age_seconds: activity.owed_age_seconds,
    });
  }
  return activity;
}

async function pollToOutcome(
  ex: Execution,
  spec: StreamSpec,
  expose: (s: StreamState) => void,
): Promise<StreamSummary> {
  const logger = ex.logger.child({ stream: spec.name });
  const early = ex.stopReason();
  if (early !== null) return summary(spec, early, null);
  const { store, clock } = ex.deps;
  let acquired: Lease | null;
  try {
    acquired = await store.acquireLease(spec.name, ex.correlationId, ex.options.leaseTtlMs, clock.now());
  } catch (err) {
    return failed(ex, spec, logger, null, err);
  }
  if (acquired === null) {
    logger.log('info', LogEvent.streamSkipped, { stream: spec.name, reason: 'locked' });
    return summary(spec, 'skipped_locked', null);
  }
  const lease = new LeaseKeeper(store, acquired, ex.options.leaseTtlMs, clock);
  let state: StreamState | null = null;
  try {
    const result = await pollStream(ex, spec, logger, lease, (s) => {
      state = s;
      expose(s);
    });
    return summary(spec, result, state);
  } catch (err) {
    return failed(ex, spec, logger, state, err);
  } finally {
    await lease.release().catch((err: unknown) => {
      logger.log('warn', LogEvent.error, {
        stream: spec.name,
        ...describe(err),
        retryable: false,
        during: 'release',
      });
    });
  }
}

function failed(
  ex: Execution,
  spec: StreamSpec,
  logger: Logger,
  state: StreamState | null,
  err: unknown,
): StreamSummary {
  // A failed commit is a failure even when the deadline or an abort arrived meanwhile (commit-failure.ts).
  if (!isCommitFailure(err) && (err instanceof DeadlineError || (ex.signal?.aborted ?? false))) {
    return summary(spec, 'deadline', state);
  }
  const { code, message } = describe(err);
  const retryable = classifyError(err).retryable;
  logger.log('error', LogEvent.error, { stream: spec.name, code, message, retryable });
  ex.deps.metrics.add(MetricName.errorsEncountered, 1, 'Count');
  if (err instanceof UsageCapExceededError) {
    ex.usageCapped = true;
    ex.deps.metrics.add(MetricName.usageCapped, 1, 'Count');
    return summary(spec, 'usage_capped', state, message);
  }
  const text =
    err instanceof CorruptCheckpointError ? `${message} (reset it explicitly to start over)` : message;
  return summary(spec, 'failed', state, text);
}

async function pollStream(
  ex: Execution,
  spec: StreamSpec,
  logger: Logger,
  lease: LeaseKeeper,
  expose: (s: StreamState) => void,
): Promise<StreamOutcome> {
  const { store, clock } = ex.deps;
  const stamp = (): WriteStamp => ({ nowMs: clock.now(), writer: ex.correlationId });
  const loaded = await store.load(spec.name); // CorruptCheckpointError: reported, never reset here
  const userId = await resolveUserId(ex, spec, loaded, logger, lease);
  let checkpoint = loaded ?? firstCheckpoint(spec, stamp(), userId);
  if (userId !== undefined && checkpoint.user_id === undefined)
    checkpoint = { ...checkpoint, user_id: userId };
  const recent = spec.source.kind === 'search' && !spec.source.archive;
  const floor = recent ? oldestRecentSinceId(clock.now()) : undefined;
  if (floor !== undefined) checkpoint = skipGap(checkpoint, floor, stamp(), ex, logger);
  const state: StreamState = { checkpoint, delivered: 0, batches: 0 };
  expose(state);
  if (checkpoint !== loaded) {
    state.checkpoint = loaded ?? checkpoint;
    await saveCheckpoint({ ex, lease, logger }, state, checkpoint);
  }
  // A first run starting at "now" still makes its request: it can only return posts newer than now (no
  // old post is billed), and it proves the token and the query on the first run, not the second.
  const ctx: SweepContext = {
    ex,
    spec,
    userId,
    logger,
    lease,
    floorSinceId: () => (recent ? oldestRecentSinceId(clock.now()) : undefined),
    edgeSinceId: () =>
      recent ? timeMsToId(clock.now() - RECENT_SEARCH_WINDOW_MS + RECENT_EDGE_SLACK_MS) : undefined,
  };
  // A pending sweep is finished first; only a new sweep that completes means "caught up".
  if (state.checkpoint.sweep !== null) {
    const end = await sweepWithStaleRecovery(ctx, state);
    if (end !== 'done') return end;
  }
  const end = await sweepWithStaleRecovery(ctx, state);
  return end === 'done' ? 'caught_up' : end;
}

/** Rounds of one sweep in a run (each resumes after the 7-day edge overtook since_id). Bounds the loop. */
const MAX_SWEEP_ROUNDS = 1_000;

/**
 * Runs the sweep to its end, moving since_id up when recent search's 7-day edge overtakes it: before a
 * request (the sweep outlived the margin) or on the API's 400 (clock skew). Logs the gap each time.
 */
async function sweepWithStaleRecovery(ctx: SweepContext, state: StreamState): Promise<SweepEnd> {
  let staleErrors = 0;
  for (let round = 0; round < MAX_SWEEP_ROUNDS; round++) {
    let stale: StaleSinceIdError | undefined;
    try {
      const end = await runSweep(ctx, state);
      if (end !== 'aged_out') return end;
    } catch (err) {
      if (!(err instanceof StaleSinceIdError) || ++staleErrors > STALE_RETRIES) throw err;
      stale = err;
    }
    const now = ctx.ex.deps.clock.now();
    let floor = oldestRecentSinceId(now);
    // The suggested id is the window's edge at the moment the API answered: by the next request it
    // is already too old, so step a margin past it (the posts in that margin are part of the gap).
    if (stale?.suggestedSinceId !== undefined) {
      floor = maxId(floor, timeMsToId(idToTimeMs(stale.suggestedSinceId) + RECENT_WINDOW_MARGIN_MS));
    }
    if (stale !== undefined && compareIds(floor, state.checkpoint.since_id) <= 0) throw stale;
    const next = skipGap(
      state.checkpoint,
      floor,
      { nowMs: now, writer: ctx.ex.correlationId },
      ctx.ex,
      ctx.logger,
    );
    if (next !== state.checkpoint) await saveCheckpoint(ctx, state, next);
  }
  throw new PollerError(`stream ${ctx.spec.name}: the sweep was overtaken by the 7-day window too often`);
}
