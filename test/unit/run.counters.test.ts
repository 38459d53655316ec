/**
 * Counters count commits (issue 15): a post is delivered once it is written, flushed and
 * checkpointed. `tweets_delivered` (run and stream), `batches`, TweetsProcessed, BatchesDelivered and
 * the observer's `committed` events move only when a commit succeeds; a flush that fails counts none
 * of its pages. The post budget (max_tweets) is spent by what the sink was handed, committed or not.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointConflictError, SinkError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { RunEvent } from '../../src/core/ports/run-events.js';
import { runExecution } from '../../src/core/run.js';
import { type Harness, harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });

/** The sink's flush succeeds `good` times, then fails for good (a full disk: not retryable). */
function flushFailsAfter(h: Harness, good: number): void {
  let flushes = 0;
  const flush = h.sink.flush.bind(h.sink);
  h.sink.flush = async () => {
    if (++flushes > good) throw new SinkError('cannot append to posts.jsonl: ENOSPC', false);
    return flush();
  };
}

/** The run's typed events, kept in order. */
function observe(h: Harness): { readonly events: RunEvent[]; readonly deps: Harness['deps'] } {
  const events: RunEvent[] = [];
  return { events, deps: { ...h.deps, observer: { onEvent: (e) => events.push(e) } } };
}

const committedPosts = (events: readonly RunEvent[]) =>
  events.reduce((sum, e) => sum + (e.type === 'committed' ? e.posts : 0), 0);

describe('counters count commits', () => {
  it.each([0, 1, 2])(
    'a flush that fails after %i good ones: only the posts of the good commits are delivered, counted and measured',
    async (good) => {
      const ids = recentIds(START, 700);
      const h = harness(ids);
      flushFailsAfter(h, good);
      const { events, deps } = observe(h);
      // Pages of 100 posts in 2 batches; commitPages 4 starts a commit every 2 pages (half the bound):
      // 200 posts and 4 batches per commit.
      const summary = await runExecution(deps, [stream], testOptions({ batchSize: 50, commitPages: 4 }));
      const committed = good * 200;
      expect(summary.streams[0]?.outcome).toBe('failed');
      expect(summary.streams[0]?.error).toContain('ENOSPC');
      // The sink was handed the failing group too, and perhaps the pages written while its commit was
      // in flight: more than was committed, never more than the bound (4 pages) past it.
      expect(h.sink.ids.length).toBeGreaterThanOrEqual(committed + 200);
      expect(h.sink.ids.length).toBeLessThanOrEqual(committed + 400);
      expect(summary.tweets_delivered).toBe(committed);
      expect(summary.streams[0]?.tweets_delivered).toBe(committed);
      expect(summary.streams[0]?.batches).toBe(good * 4);
      expect(h.metrics.total('TweetsProcessed')).toBe(committed);
      expect(h.metrics.total('BatchesDelivered')).toBe(good * 4);
      expect(committedPosts(events)).toBe(committed);
      expect(events.filter((e) => e.type === 'stream_error')).toEqual([
        expect.objectContaining({ stream: stream.name, outcome: 'failed', code: 'sink' }),
      ]);
      expect(h.logger.events('execution_end')[0]).toMatchObject({ tweets_delivered: committed });
      // The checkpoint says the same: it stands below the last committed post.
      const checkpoint = await h.store.load(stream.name);
      if (good === 0) expect(checkpoint?.sweep ?? null).toBeNull();
      else expect(checkpoint?.sweep?.untilId).toBe(ids[committed - 1]);
    },
  );

  it('counts every post of a run whose commits all succeed, once, at its commit', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const { events, deps } = observe(h);
    const summary = await runExecution(deps, [stream], testOptions({ batchSize: 50, commitPages: 4 }));
    expect(summary.caught_up).toBe(true);
    expect(summary.tweets_delivered).toBe(500);
    expect(h.metrics.total('TweetsProcessed')).toBe(500);
    expect(h.metrics.total('BatchesDelivered')).toBe(10);
    // Three commits (2 + 2 + 1 pages), each counted when it completed.
    expect(
      events.filter((e) => e.type === 'committed').map((e) => (e.type === 'committed' ? e.posts : 0)),
    ).toEqual([200, 200, 100]);
  });

  it('spends max_tweets on posts handed over: a failed commit gives none back to the other streams', async () => {
    const ids = recentIds(START, 600);
    const h = harness(ids);
    const a = searchStream({ name: 'a', initial: { kind: 'since_id', id: since } });
    const b = searchStream({ name: 'b', initial: { kind: 'since_id', id: since } });
    // Stream a's second commit cannot be saved: the 100 posts it handed over are not delivered.
    const save = h.store.save.bind(h.store);
    let saves = 0;
    h.store.save = async (cp, lease) => {
      if (cp.stream === 'a' && cp.sweep?.untilId !== undefined && ++saves === 2)
        throw new CheckpointConflictError('lost the lease', 'a');
      return save(cp, lease);
    };
    const summary = await runExecution(
      h.deps,
      [a, b],
      testOptions({ batchSize: 100, commitPages: 1, maxTweets: 400 }),
    );
    const byName = new Map(summary.streams.map((s) => [s.stream, s]));
    expect(byName.get('a')?.outcome).toBe('failed');
    expect(byName.get('a')?.tweets_delivered).toBe(100);
    expect(summary.tweets_delivered).toBe(100 + (byName.get('b')?.tweets_delivered ?? 0));
    // a handed over 200; b had the rest of the 400 and no more: the sink never got more than the budget.
    expect(byName.get('b')?.tweets_delivered).toBe(200);
    expect(h.sink.ids.length).toBe(400);
  });
});
