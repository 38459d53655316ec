/**
 * The page loop of one sweep: fetch newest first, deliver in batches, make each page durable and save
 * the frontier after it. Returns how the sweep ended; the checkpoint it leaves behind is always saved.
 * Before each page the stream waits for its turn: the scheduler interleaves the streams of a run.
 */
import { splitIntoBatches } from './batching.js';
import { commitError } from './commit-failure.js';
import { PAGE_SIZE_LIMITS, pagedEndpoint, pageRequest, pageSize } from './endpoints.js';
import { InvalidResponseError } from './errors.js';
import { isNewer, newestCreatedMs } from './freshness.js';
import { afterBatch, completeSweep, nextId, sweepBounds } from './frontier.js';
import { compareIds, minId } from './ids.js';
import { overlapSinceId, recordRecent, withoutRedelivered } from './overlap.js';
import { servedIds, validatePage } from './page-validation.js';
import type { ApiResponse, TweetPage } from './ports/x-api.js';
import type { StopReason } from './run-context.js';
import { Failpoint } from './run-types.js';
import type { StreamSession } from './stream-session.js';

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

/**
 * Runs one sweep: the pending one when the checkpoint holds it, else a new one from since_id.
 * `(since, until)` stay fixed for all pages of the sweep in this run; pages are chained by next_token.
 * `granted`: the caller already has the turn for the first page.
 */
export async function runSweep(session: StreamSession, granted = false): Promise<SweepEnd | SweepAgedOut> {
  const { spec, run } = session;
  const endpoint = pagedEndpoint(spec.source);
  const bounds = sweepBounds(session.checkpoint);
  // Nothing owed between since_id and until_id (and no overlap to re-read): complete without a request.
  if (
    bounds.untilId !== undefined &&
    spec.overlapSeconds <= 0 &&
    compareIds(nextId(bounds.sinceId), bounds.untilId) >= 0
  ) {
    await session.commit(completeSweep(session.checkpoint, run.stamp()));
    return 'done';
  }
  const sinceId = overlapSinceId(bounds.sinceId, spec.overlapSeconds, session.floorSinceId());
  const agedOut = (): boolean => {
    const edge = session.edgeSinceId();
    return edge !== undefined && compareIds(sinceId, edge) < 0;
  };
  let token: string | undefined;
  // The lowest id seen so far this sweep: every later page must lie below it (no page is read twice).
  let below = bounds.untilId;
  const seenTokens = new Set<string>();
  let emptyRepeats = 0;
  // The next page, requested while this one is delivered (see below).
  let prefetched: PageFetch | undefined;
  // Never more posts than the stream may still deliver: every post read is billed.
  const fetchPage = (pageToken: string | undefined, budget: number): PageFetch => {
    // The spend budget caps the page like the stream's share does (the smaller of the two), less what
    // the other streams' requests in flight may bill; reserved until the answer is in.
    const maxResults = pageSize(endpoint, Math.min(budget, run.spend.requestRoom()));
    run.spend.reserve(maxResults);
    const cancel = new AbortController();
    const answer = session.request<unknown>(
      pageRequest(spec, session.userId, { sinceId, untilId: bounds.untilId, maxResults, token: pageToken }),
      cancel.signal,
    );
    return { answer, reserved: maxResults, cancel };
  };
  // Every post served is billed, delivered or not: a page that is rejected, or read ahead and never
  // taken, is recorded in the spend ledger too (the ledger must never understate what the API billed).
  const billServed = async (body: unknown): Promise<void> => {
    const ids = servedIds(body);
    run.spend.holdRoom(ids.length);
    await run.spend.record(spec.name, ids);
  };
  // A page read ahead and never taken (the sweep stopped): given up if it still waits for its turn at
  // the limiter, else its answer is awaited and billed. Its reservation no longer holds others back.
  const dropPrefetched = async (): Promise<void> => {
    const dropped = prefetched;
    prefetched = undefined;
    if (dropped === undefined) return;
    dropped.cancel.abort();
    let response: ApiResponse<unknown>;
    try {
      response = await dropped.answer;
    } catch {
      return; // never sent, or failed: nothing served
    } finally {
      run.spend.release(dropped.reserved);
    }
    await billServed(response.body);
  };
  // Group commit: pages are written and their commit (fsync, checkpoint write) starts once half of
  // `commitPages` pages are pending or `commitIntervalMs` passed since the last commit, whichever comes
  // first, and always when the sweep ends (done, stop, deadline, signal, failure). The commit is left
  // running while the next pages are requested, read and written: the disk, the API and this process
  // work at the same time. It is awaited before a page is written only when that page would make more
  // than `commitPages` pages written and not yet committed (the pages of the commits in flight count),
  // or when a commit in flight has failed: that bound is what a crash re-delivers.
  const group = new GroupCommit(session);
  let committing: Promise<void> | undefined;
  // Pages in commits started and not yet done, and whether one of them failed.
  let committingPages = 0;
  let commitFailed = false;
  const startCommit = (): void => {
    const pending = group.take();
    if (pending === undefined) return;
    run.counters.countCommitStarted(); // its flush takes every stream's written lines
    committingPages += pending.pages;
    // After the commit in flight, if any: commits land in page order.
    const before = committing;
    const chained =
      before === undefined
        ? commitDelivered(session, pending)
        : before.then(() => commitDelivered(session, pending));
    committing = chained.then(
      () => {
        committingPages -= pending.pages;
      },
      (error: unknown) => {
        committingPages -= pending.pages;
        commitFailed = true; // in the same step: the next makeRoom sees the failure, not the room
        throw error;
      },
    );
    committing.catch(() => undefined); // thrown by settle()
  };
  const settle = async (): Promise<void> => {
    const pending = committing;
    committing = undefined;
    await pending;
  };
  // Before a page is written: wait for the commits in flight if this page would pass the bound.
  const makeRoom = async (): Promise<void> => {
    if (committing === undefined) return;
    if (commitFailed || committingPages + group.pages + 1 > run.options.commitPages) await settle();
  };
  // One page: read it, read ahead, bill, deliver and commit it. A function of its own so that the page
  // (the parsed response and its posts) is gone when the stream waits for its next turn: a suspended
  // async function keeps its registers, and with a hundred streams interleaved every waiting stream
  // held its last page (10,001 posts alive mid-run: bench/fairness-profile.ts --mode heap).
  const takePage = async (): Promise<SweepEnd | null> => {
    const asked = prefetched ?? fetchPage(token, session.remaining);
    prefetched = undefined;
    let response: ApiResponse<unknown>;
    try {
      response = await asked.answer;
    } finally {
      run.spend.release(asked.reserved); // the page's posts are held below, before any await
    }
    let page: TweetPage;
    try {
      page = validatePage(response.body, endpoint, { sinceId, untilId: below });
      const token = page.meta.next_token;
      if (token !== undefined && seenTokens.has(token)) {
        // An empty page may hand back the token it was asked with ("try again from here"): tolerated
        // a few times in a row, never as a loop. A page with posts repeating a token is a broken cursor.
        emptyRepeats = (page.data ?? []).length === 0 ? emptyRepeats + 1 : MAX_EMPTY_REPEATS + 1;
        if (emptyRepeats > MAX_EMPTY_REPEATS) {
          throw new InvalidResponseError(`${endpoint}: next_token repeated`, endpoint);
        }
      } else {
        emptyRepeats = 0;
      }
    } catch (error) {
      await billServed(response.body); // rejected, but served
      throw error;
    }
    const posts = page.data ?? [];
    const nextToken = page.meta.next_token;
    if (nextToken !== undefined) {
      seenTokens.add(nextToken);
      if (seenTokens.size > SEEN_TOKENS_KEPT) seenTokens.delete(seenTokens.values().next().value as string);
    }
    const lowest = posts[posts.length - 1];
    if (lowest !== undefined) below = below === undefined ? lowest.id : minId(below, lowest.id);
    run.spend.holdRoom(posts.length); // until recorded below (nothing between them throws)
    // Read ahead: the next page is requested before this one is billed, written and committed, so the
    // API works while this process does. Only when this stream is served next and its share will
    // surely want that page; a run stopped by its deadline may leave one page read and not delivered
    // (it stays owed, nothing lost). Otherwise the turn goes to the next stream now, for the same reason.
    if (
      nextToken !== undefined &&
      session.mayReadAhead(posts.length) &&
      run.spend.requestRoom() >= PAGE_SIZE_LIMITS[endpoint].min &&
      !agedOut()
    ) {
      prefetched = fetchPage(nextToken, session.remaining - posts.length);
      prefetched.answer.catch(() => undefined); // observed when awaited on the next turn
    }
    session.releaseTurn();
    // A request made just now (this stream's next page, or the next stream's) reaches its socket on a
    // later tick: let it leave before this page's work.
    await run.deps.clock.yieldToIo?.();
    // Billed at read time, delivered or not.
    await run.spend.record(
      spec.name,
      posts.map((p) => p.id),
    );
    await run.deps.failpoint?.(Failpoint.afterFetch);
    await makeRoom();
    const first = posts[0];
    // Only posts above since_id start a sweep: an overlap re-read of older ids alone owes nothing.
    if (
      session.checkpoint.sweep === null &&
      first !== undefined &&
      compareIds(first.id, session.checkpoint.sinceId) > 0
    ) {
      session.beginSweep(first.id); // saved with the first commit
    }
    const delivery = await deliverPage(session, page);
    if (delivery.delivered.length > 0) {
      group.add(delivery.delivered, delivery.pageDone ? nextToken : token, {
        pageDone: delivery.pageDone,
        lastPage: nextToken === undefined,
        newestMs: delivery.newestMs,
        batches: delivery.batches,
      });
    }
    // The batches acknowledged before it are committed on the way out (see catch below).
    if (delivery.failure !== undefined) throw delivery.failure;
    if (delivery.end !== null || nextToken === undefined || group.due()) startCommit();
    if (delivery.end !== null) return delivery.end;
    if (nextToken === undefined) {
      await settle();
      if (session.checkpoint.sweep !== null)
        await session.commit(completeSweep(session.checkpoint, run.stamp()));
      return 'done';
    }
    token = nextToken;
    return null;
  };
  let turnHeld = granted;
  try {
    for (;;) {
      const stop = turnHeld ? null : await session.turn();
      turnHeld = false;
      if (stop !== null) return stop;
      if (prefetched === undefined && agedOut()) return 'aged_out';
      // A page the spend budget cannot pay for in full is not requested.
      if (prefetched === undefined && run.spend.requestRoom() < PAGE_SIZE_LIMITS[endpoint].min)
        return 'spend_exhausted';
      const end = await takePage();
      if (end !== null) return end;
    }
  } catch (error) {
    // What was delivered is still committed: the commit in flight completes, then the pages written
    // since are committed. If a commit fails, that failure wins over whatever stopped the sweep (a
    // deadline, an abort, a 429 wait, a stale since_id, a batch that failed): see commit-failure.ts.
    const inFlight = committing;
    committing = undefined;
    const failed = await commitError(inFlight);
    if (failed !== undefined) throw failed;
    startCommit();
    const pending = committing;
    committing = undefined;
    throw (await commitError(pending)) ?? error;
  } finally {
    startCommit(); // a stop between pages: the pages written are committed now
    try {
      await dropPrefetched();
    } finally {
      await settle(); // a commit that fails fails the sweep
    }
  }
}

/** A page requested: its answer, and the posts reserved against the spend budgets until it is in. */
interface PageFetch {
  readonly answer: Promise<ApiResponse<unknown>>;
  readonly reserved: number;
  /** Gives the request up while it is not sent (a page read ahead and no longer wanted). */
  readonly cancel: AbortController;
}

/** Delivered posts not yet committed: a run of whole pages, possibly ending with part of one. */
interface PendingPages {
  /** Delivered ids, newest first (the order pages and batches are delivered in). */
  readonly ids: string[];
  /** The page's own token until the whole page is delivered, then the token after it. */
  token: string | undefined;
  pageDone: boolean;
  lastPage: boolean;
  pages: number;
  /** Batches the sink acknowledged: counted as delivered with the commit. */
  batches: number;
  /** The newest creation time among the pending posts (NaN for none): freshness at the commit. */
  newestMs: number;
}

/** Counts the pages written since the last commit and says when the next commit is due. */
class GroupCommit {
  readonly #session: StreamSession;
  #pending: PendingPages | undefined;
  #lastCommitMs: number;

  constructor(session: StreamSession) {
    this.#session = session;
    this.#lastCommitMs = session.run.now();
  }

  /** One page's delivered posts (`ids` non-empty). */
  add(
    ids: readonly string[],
    token: string | undefined,
    page: {
      readonly pageDone: boolean;
      readonly lastPage: boolean;
      readonly newestMs: number;
      readonly batches: number;
    },
  ): void {
    const pending = this.#pending ?? {
      ids: [],
      token,
      pageDone: false,
      lastPage: false,
      pages: 0,
      batches: 0,
      newestMs: Number.NaN,
    };
    if (isNewer(page.newestMs, pending.newestMs)) pending.newestMs = page.newestMs;
    for (const id of ids) pending.ids.push(id);
    pending.token = token;
    pending.pageDone = page.pageDone;
    pending.lastPage = page.lastPage;
    pending.pages++;
    pending.batches += page.batches;
    this.#pending = pending;
    this.#session.run.counters.countPageWritten();
  }

  /** Pages pending (written, no commit started). */
  get pages(): number {
    return this.#pending?.pages ?? 0;
  }

  /**
   * Half of `commitPages` pages (at least one) are pending, or `commitIntervalMs` passed since the
   * last commit: started at half, a commit has the time of the next pages to finish before the bound
   * of `commitPages` pages written and not committed would make the loop wait for it.
   */
  due(): boolean {
    const pending = this.#pending;
    if (pending === undefined) return false;
    const { commitPages, commitIntervalMs } = this.#session.run.options;
    const half = Math.ceil(commitPages / 2);
    return (
      pending.pages >= half ||
      // Many streams interleaved page by page: the sink's unflushed pages (all streams') count too, so
      // the streams' commits do not fall due together and the sink never holds more than about half of
      // `commitPages` pages whatever the number of streams.
      this.#session.run.counters.pagesSinceCommit >= half ||
      this.#session.run.now() - this.#lastCommitMs >= commitIntervalMs
    );
  }

  /** Hands the pending pages to a commit (undefined when none are pending). */
  take(): PendingPages | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) this.#lastCommitMs = this.#session.run.now();
    return pending;
  }
}

/**
 * Delivers one page's posts (up to the stream's remaining share) batch by batch; the caller commits
 * them with the pages around it (group commit). The batch is the unit of delivery (what a consumer
 * receives), the commit the unit of durability (one fsync, one checkpoint write). It stops between
 * batches on the deadline or the usage cap; a batch that fails for good is returned as `failure` with
 * the ids acknowledged before it, so that those are still committed.
 * `end` is a stop reason when it stopped before the page was fully delivered (else null).
 */
async function deliverPage(
  session: StreamSession,
  page: TweetPage,
): Promise<{
  readonly end: StopReason | null;
  readonly delivered: readonly string[];
  /** Batches the sink acknowledged. */
  readonly batches: number;
  readonly pageDone: boolean;
  readonly newestMs: number;
  readonly failure?: unknown;
}> {
  const { run, spec } = session;
  const fresh = withoutRedelivered(page.data ?? [], session.checkpoint);
  const take = fresh.slice(0, session.remaining);
  session.hold(take.length);
  const batches = splitIntoBatches(take, page.includes, {
    stream: spec.name,
    correlationId: run.correlationId,
    batchSize: run.options.batchSize,
  });
  // Ids only: the commit outlives this call (it overlaps the next pages), the post objects need not.
  const delivered: string[] = [];
  let written = 0;
  let newestMs = Number.NaN;
  let stop: StopReason | null = null;
  try {
    for (const batch of batches) {
      // Posts already read are paid for: only the deadline, a signal or the usage cap stop a page
      // between its batches (the credits and the spend budgets stop the next read, not this delivery).
      const reason = run.stopReason();
      if (reason === 'deadline' || reason === 'usage_capped') {
        stop = reason;
        break;
      }
      await session.deliver(batch);
      written++;
      for (const tweet of batch.tweets) delivered.push(tweet.id);
      const batchNewest = newestCreatedMs(batch.tweets);
      if (isNewer(batchNewest, newestMs)) newestMs = batchNewest;
    }
  } catch (failure) {
    session.hold(0);
    return { end: null, delivered, batches: written, pageDone: false, newestMs, failure };
  }
  session.hold(0);
  const pageDone = stop === null && take.length === fresh.length;
  return {
    end: stop ?? (pageDone ? null : 'budget_exhausted'),
    delivered,
    batches: written,
    pageDone,
    newestMs,
  };
}

/**
 * Makes the pending posts durable in the sink, then moves the checkpoint below the lowest of them.
 */
async function commitDelivered(session: StreamSession, pending: PendingPages): Promise<void> {
  await session.flush();
  const lowestId = pending.ids[pending.ids.length - 1] as string;
  const current = session.checkpoint;
  const next =
    current.sweep === null
      ? current // overlap-only delivery: only recent_ids change
      : afterBatch(
          current,
          lowestId,
          pending.token ?? null,
          pending.pageDone && pending.lastPage,
          session.run.stamp(),
        );
  await session.commit(recordRecent(next, pending.ids, session.spec.overlapSeconds));
  // Only now are the posts delivered: a flush or a checkpoint write that failed counted none of them.
  session.countCommitted(pending.ids.length, pending.batches);
  // Freshness: the newest post of the run, measured when it became durable (sink flushed, checkpoint moved).
  session.activity.committed(pending.newestMs, session.run.now());
}
