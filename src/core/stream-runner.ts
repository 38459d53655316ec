/**
 * One stream's part of an execution, once its session is open: the pending sweep, then a new sweep,
 * through recent search's moving 7-day edge; the outcome. Failures end this stream only.
 */
import { RECENT_WINDOW_MARGIN_MS } from './endpoints.js';
import { PollerError, StaleSinceIdError } from './errors.js';
import { compareIds, idToTimeMs, maxId, timeMsToId } from './ids.js';
import type { StreamSummary } from './run-types.js';
import type { StreamSession } from './stream-session.js';
import { oldestRecentSinceId, skipGap } from './stream-setup.js';
import { runSweep, type SweepEnd } from './sweep.js';

/** How many times one run moves a since_id the API called stale before giving up. */
const STALE_RETRIES = 2;
/** Rounds of one sweep in a run (each resumes after the 7-day edge overtook since_id). Bounds the loop. */
const MAX_SWEEP_ROUNDS = 1_000;
/** Times one stream resumes after its share grew (another stream gave posts back). Bounds the loop. */
const MAX_SHARE_ROUNDS = 10_000;

/** Polls an open stream to its outcome; never throws (a failure is the `failed` outcome plus an `error` event). */
export async function runSession(session: StreamSession): Promise<StreamSummary> {
  try {
    // A first run starting at "now" still makes its request: it can only return posts newer than now (no
    // old post is billed), and it proves the token and the query on the first run, not the second.
    let granted = false;
    for (let round = 0; round < MAX_SHARE_ROUNDS; round++) {
      // A pending sweep is finished first; only a new sweep that completes means "caught up".
      if (session.checkpoint.sweep !== null) {
        const end = await sweepWithStaleRecovery(session, granted);
        granted = false;
        if (end !== 'done') {
          if (end !== 'budget_exhausted') return session.summary(end);
          // The share ran out inside a page: resume below it if the share grows (others gave back).
          const stop = await session.turn();
          if (stop !== null) return session.summary(stop);
          granted = true;
          continue;
        }
      }
      const end = await sweepWithStaleRecovery(session, granted);
      granted = false;
      if (end === 'done') return session.summary('caught_up');
      if (end !== 'budget_exhausted') return session.summary(end);
      const stop = await session.turn();
      if (stop !== null) return session.summary(stop);
      granted = true;
    }
    return session.summary('budget_exhausted');
  } catch (err) {
    return session.failed(err);
  }
}

/**
 * Runs the sweep to its end, moving since_id up when recent search's 7-day edge overtakes it: before a
 * request (the sweep outlived the margin) or on the API's 400 (clock skew). Logs the gap each time.
 */
async function sweepWithStaleRecovery(session: StreamSession, granted: boolean): Promise<SweepEnd> {
  const { run } = session;
  let staleErrors = 0;
  let turnHeld = granted;
  for (let round = 0; round < MAX_SWEEP_ROUNDS; round++) {
    let stale: StaleSinceIdError | undefined;
    try {
      const end = await runSweep(session, turnHeld);
      if (end !== 'aged_out') return end;
    } catch (err) {
      if (!(err instanceof StaleSinceIdError) || ++staleErrors > STALE_RETRIES) throw err;
      stale = err;
    }
    turnHeld = false; // the next round waits for a turn of its own
    const now = run.now();
    let floor = oldestRecentSinceId(now);
    // The suggested id is the window's edge at the moment the API answered: by the next request it
    // is already too old, so step a margin past it (the posts in that margin are part of the gap).
    if (stale?.suggestedSinceId !== undefined) {
      floor = maxId(floor, timeMsToId(idToTimeMs(stale.suggestedSinceId) + RECENT_WINDOW_MARGIN_MS));
    }
    if (stale !== undefined && compareIds(floor, session.checkpoint.sinceId) <= 0) throw stale;
    const next = skipGap(session.checkpoint, floor, run.stamp(), run, session.logger, (s) =>
      session.activity.countGap(s),
    );
    if (next !== session.checkpoint) await session.commit(next);
  }
  throw new PollerError(`stream ${session.name}: the sweep was overtaken by the 7-day window too often`);
}
