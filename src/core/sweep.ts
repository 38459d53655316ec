/**
 * The page loop of one sweep: fetch newest first, deliver in batches, make each page durable and save
 * the frontier after it. Returns how the sweep ended; the checkpoint it leaves behind is always saved.
 */
import { callApi } from './api-caller.js';
import { splitIntoBatches } from './batching.js';
import { commitError, markCommitFailure } from './commit-failure.js';
import { pagedEndpoint, pageRequest, pageSize } from './endpoints.js';
import { InvalidResponseError } from './errors.js';
import type { Execution, StopReason } from './execution.js';
import { isNewer, lagSeconds, newestCreatedMs } from './freshness.js';
import { afterBatch, completeSweep, nextId, startSweep, sweepBounds, type WriteStamp } from './frontier.js';
import { compareIds, minId } from './ids.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { overlapSinceId, recordRecent, withoutRedelivered } from './overlap.js';
import { validatePage } from './page-validation.js';
import type { Checkpoint } from './ports/checkpoint-store.js';
import { LogEvent, type Logger, MetricName } from './ports/observability.js';
import type { ApiResponse, TweetPage } from './ports/x-api.js';
import { type WithRetryOptions, withRetry } from './retry.js';
import { Failpoint } from './run-types.js';
import type { StreamSpec } from './stream.js';

/** Empty pages in a row that may repeat an earlier next_token before the cursor counts as broken. */
const MAX_EMPTY_REPEATS = 3;
/**
 * The latest next_tokens remembered to detect a cursor going round in circles. Bounded so that a sweep
 * of millions of posts does not keep every token; pages with posts cannot repeat anyway (each must lie
 * below the lowest id seen), so only a cycle of empty pages longer than this would go unnoticed, and
 * the time budget still ends it.
 */
const SEEN_TOKENS_KEPT = 1000;

/** How a sweep ended: 'done' means it ran out of pages (everything it covered is delivered). */
export type SweepEnd = 'done' | StopReason;

/**
 * The 7-day edge of recent search moved past the sweep's since_id while it was paging: the next request
 * would get a 400. The caller moves since_id up (a gap) and resumes the sweep below until_id.
 */
export type SweepAgedOut = 'aged_out';

/** The mutable state of one stream's poll. */
export interface StreamState {
  checkpoint: Checkpoint;
  delivered: number;
  batches: number;
  /** The newest delivered post's creation time (epoch ms) and its lag at the commit (src/core/freshness.ts). */
  newestCreatedMs?: number;
  freshnessLagSeconds?: number;
}

/** What a sweep needs besides the stream state. */
export interface SweepContext {
  readonly ex: Execution;
  readonly spec: StreamSpec;
  readonly userId: string | undefined;
  readonly logger: Logger;
  readonly lease: LeaseKeeper;
  /** Where since_id moves up to when the window overtakes it (edge plus a margin), else undefined. */
  readonly floorSinceId: () => string | undefined;
  /** The lowest since_id a request may still carry now (recent search's moving 7-day edge), else undefined. */
  readonly edgeSinceId: () => string | undefined;
}

function stampOf(ctx: SweepContext): WriteStamp {
  return { nowMs: ctx.ex.deps.clock.now(), writer: ctx.ex.correlationId };
}

/** Conditional write of the next checkpoint under the stream's lease, logged as `checkpoint_update`. */
export async function saveCheckpoint(
  ctx: Pick<SweepContext, 'ex' | 'lease' | 'logger'>,
  state: StreamState,
  next: Checkpoint,
): Promise<void> {
  try {
    await ctx.lease.ensure();
    await ctx.ex.deps.store.save(next, ctx.lease.lease);
  } catch (error) {
    throw markCommitFailure(error);
  }
  state.checkpoint = next;
  await ctx.ex.deps.failpoint?.(Failpoint.afterCheckpoint);
  ctx.logger.log('info', LogEvent.checkpointUpdate, {
    stream: next.stream,
    since_id: next.since_id,
    until_id: next.sweep?.until_id ?? null,
    sweep_newest_id: next.sweep?.newest_id ?? null,
  });
}

/**
 * Runs one sweep: the pending one when the checkpoint holds it, else a new one from since_id.
 * `(since, until)` stay fixed for all pages of the sweep in this run; pages are chained by next_token.
 */
export async function runSweep(ctx: SweepContext, state: StreamState): Promise<SweepEnd | SweepAgedOut> {
  const { ex, spec } = ctx;
  const endpoint = pagedEndpoint(spec.source);
  const bounds = sweepBounds(state.checkpoint);
  // Nothing owed between since_id and until_id (and no overlap to re-read): complete without a request.
  if (
    bounds.untilId !== undefined &&
    spec.overlapSeconds <= 0 &&
    compareIds(nextId(bounds.sinceId), bounds.untilId) >= 0
  ) {
    await saveCheckpoint(ctx, state, completeSweep(state.checkpoint, stampOf(ctx)));
    return 'done';
  }
  const sinceId = overlapSinceId(bounds.sinceId, spec.overlapSeconds, ctx.floorSinceId());
  const agedOut = (): boolean => {
    const edge = ctx.edgeSinceId();
    return edge !== undefined && compareIds(sinceId, edge) < 0;
  };
  let token: string | undefined;
  // The lowest id seen so far this sweep: every later page must lie below it (no page is read twice).
  let below = bounds.untilId;
  const seenTokens = new Set<string>();
  let emptyRepeats = 0;
  // The next page, requested while this one is delivered (see below).
  let prefetched: Promise<ApiResponse<unknown>> | undefined;
  const fetchPage = (pageToken: string | undefined, budget: number): Promise<ApiResponse<unknown>> =>
    callApi<unknown>(
      ex,
      pageRequest(spec, ctx.userId, {
        sinceId,
        untilId: bounds.untilId,
        maxResults: pageSize(endpoint, budget),
        token: pageToken,
      }),
      ctx.logger,
      ctx.lease,
    );
  // The previous page's commit (fsync, checkpoint write), left running while the next page is awaited
  // and the one after it requested: the disk and the API work at the same time. Awaited before the next
  // page is written, so at most one page is ever written and not yet committed.
  let committing: Promise<void> | undefined;
  const settle = async (): Promise<void> => {
    const pending = committing;
    committing = undefined;
    await pending;
  };
  try {
    for (;;) {
      const stop = ex.stopReason();
      if (stop !== null) return stop;
      if (prefetched === undefined && agedOut()) return 'aged_out';
      const response = await (prefetched ?? fetchPage(token, ex.remainingBudget));
      prefetched = undefined;
      const page: TweetPage = validatePage(response.body, endpoint, { sinceId, untilId: below });
      await ex.deps.failpoint?.(Failpoint.afterFetch);
      const posts = page.data ?? [];
      const nextToken = page.meta.next_token;
      if (nextToken !== undefined && seenTokens.has(nextToken)) {
        // An empty page may hand back the token it was asked with ("try again from here"): tolerated a
        // few times in a row, never as a loop. A page with posts repeating a token is a broken cursor.
        emptyRepeats = posts.length === 0 ? emptyRepeats + 1 : MAX_EMPTY_REPEATS + 1;
        if (emptyRepeats > MAX_EMPTY_REPEATS) {
          throw new InvalidResponseError(`${endpoint}: next_token repeated`, endpoint);
        }
      } else {
        emptyRepeats = 0;
      }
      if (nextToken !== undefined) {
        seenTokens.add(nextToken);
        if (seenTokens.size > SEEN_TOKENS_KEPT) seenTokens.delete(seenTokens.values().next().value as string);
      }
      const lowest = posts[posts.length - 1];
      if (lowest !== undefined) below = below === undefined ? lowest.id : minId(below, lowest.id);
      // Read ahead: the next page is requested while this one is written and committed, so the
      // network wait overlaps the sink's fsync. Only when the budget will surely want that page; a run
      // stopped by its deadline may leave one page read and not delivered (it stays owed, nothing lost).
      if (nextToken !== undefined && ex.remainingBudget > posts.length && !agedOut()) {
        prefetched = fetchPage(nextToken, ex.remainingBudget - posts.length);
        prefetched.catch(() => undefined); // observed when awaited on the next turn
      }
      await settle();
      const first = posts[0];
      // Only posts above since_id start a sweep: an overlap re-read of older ids alone owes nothing.
      if (
        state.checkpoint.sweep === null &&
        first !== undefined &&
        compareIds(first.id, state.checkpoint.since_id) > 0
      ) {
        state.checkpoint = startSweep(state.checkpoint, first.id); // saved with the first page
      }
      const delivery = await deliverPage(ctx, state, page, token, nextToken === undefined);
      committing = delivery.commit;
      if (delivery.end !== null) return delivery.end;
      if (nextToken === undefined) {
        await settle();
        if (state.checkpoint.sweep !== null)
          await saveCheckpoint(ctx, state, completeSweep(state.checkpoint, stampOf(ctx)));
        return 'done';
      }
      token = nextToken;
    }
  } catch (error) {
    // The commit in flight still completes. If it fails, that failure wins over whatever stopped the
    // sweep (a deadline, an abort, a 429 wait, a stale since_id): see commit-failure.ts.
    const pending = committing;
    committing = undefined;
    throw (await commitError(pending)) ?? error;
  } finally {
    await settle(); // a commit that fails fails the sweep
  }
}

/**
 * Delivers one page's posts (up to the remaining budget) batch by batch, then commits them once:
 * `sink.flush` makes them durable and the checkpoint moves past them. The batch is the unit of
 * delivery (what a consumer receives), the page the unit of durability (one fsync, one checkpoint
 * write): a crash re-delivers at most one page. It stops between batches on the deadline or the usage
 * cap, and a batch that fails for good still lets the batches acknowledged before it be committed.
 * Returns the commit, still running, and a stop reason when it stopped before the page was fully
 * delivered (else null).
 */
async function deliverPage(
  ctx: SweepContext,
  state: StreamState,
  page: TweetPage,
  tokenOfPage: string | undefined,
  lastPage: boolean,
): Promise<{ readonly end: StopReason | null; readonly commit: Promise<void> | undefined }> {
  const { ex, spec, logger } = ctx;
  const { sink, metrics } = ex.deps;
  const fresh = withoutRedelivered(page.data ?? [], state.checkpoint);
  const take = fresh.slice(0, ex.remainingBudget);
  const batches = splitIntoBatches(take, page.includes, {
    stream: spec.name,
    correlationId: ex.correlationId,
    batchSize: ex.options.batchSize,
  });
  // Ids only: the commit outlives this call (it overlaps the next page), the post objects need not.
  const delivered: string[] = [];
  let newestMs = Number.NaN;
  let stop: StopReason | null = null;
  let failure: unknown;
  try {
    for (const batch of batches) {
      const reason = ex.stopReason();
      if (reason === 'deadline' || reason === 'usage_capped') {
        stop = reason;
        break;
      }
      await withRetry(() => sink.write(batch, ex.signal), sinkRetry(ctx, ex.signal));
      const count = batch.tweets.length;
      for (const tweet of batch.tweets) delivered.push(tweet.id);
      const batchNewest = newestCreatedMs(batch.tweets);
      if (isNewer(batchNewest, newestMs)) newestMs = batchNewest;
      ex.delivered += count;
      state.delivered += count;
      state.batches++;
      metrics.add(MetricName.tweetsProcessed, count, 'Count');
      metrics.add(MetricName.batchesDelivered, 1, 'Count');
      logger.log('info', LogEvent.batch, { stream: spec.name, batch_id: batch.batch_id, count });
    }
  } catch (error) {
    failure = error;
  }
  const pageDone = failure === undefined && stop === null && take.length === fresh.length;
  const commit =
    delivered.length === 0
      ? undefined
      : commitDelivered(ctx, state, delivered, pageDone ? page.meta.next_token : tokenOfPage, {
          pageDone,
          lastPage,
          newestMs,
        });
  commit?.catch(() => undefined); // observed by the caller (runSweep's settle), or just below
  if (failure !== undefined) {
    // The batch's own failure is reported unless the commit of the batches before it failed too:
    // a commit failure always wins (the batch's may be a deadline, which is no failure).
    throw (await commitError(commit)) ?? failure;
  }
  return { end: stop ?? (pageDone ? null : 'budget_exhausted'), commit };
}

/**
 * Makes the delivered posts durable in the sink, then moves the checkpoint below the lowest of them.
 * `token` is the page's own token until the whole page is delivered, then the token after it.
 */
async function commitDelivered(
  ctx: SweepContext,
  state: StreamState,
  delivered: readonly string[],
  token: string | undefined,
  page: { readonly pageDone: boolean; readonly lastPage: boolean; readonly newestMs: number },
): Promise<void> {
  const { ex, spec } = ctx;
  // Not abortable: a stop (SIGTERM, the deadline) lands here to save what was delivered before it.
  await withRetry(() => ex.deps.sink.flush(), sinkRetry(ctx, undefined)).catch((error: unknown) => {
    throw markCommitFailure(error);
  });
  await ex.deps.failpoint?.(Failpoint.afterAckBeforeCheckpoint);
  const lowestId = delivered[delivered.length - 1] as string;
  const next =
    state.checkpoint.sweep === null
      ? state.checkpoint // overlap-only delivery: only recent_ids change
      : afterBatch(state.checkpoint, lowestId, token ?? null, page.pageDone && page.lastPage, stampOf(ctx));
  await saveCheckpoint(ctx, state, recordRecent(next, delivered, spec.overlapSeconds));
  // Freshness: the newest post of the run, measured when it became durable (sink flushed, checkpoint moved).
  if (isNewer(page.newestMs, state.newestCreatedMs)) {
    state.newestCreatedMs = page.newestMs;
    state.freshnessLagSeconds = lagSeconds(page.newestMs, ex.deps.clock.now());
  }
}

/** Retries of a sink call: backoff as for the API, the lease kept through the wait, logged; `signal` aborts the waits. */
function sinkRetry(ctx: SweepContext, signal: AbortSignal | undefined): WithRetryOptions {
  const { ex, spec, logger } = ctx;
  return {
    retry: ex.options.retry,
    clock: ex.deps.clock,
    deadlineMs: ex.deadlineMs,
    ...(signal === undefined ? {} : { signal }),
    onRetry: async (e) => {
      await ctx.lease.ensure(e.delayMs);
      logger.log('warn', LogEvent.retry, {
        stream: spec.name,
        attempt: e.attempt,
        delay_ms: e.delayMs,
        code: 'sink',
      });
    },
  };
}
