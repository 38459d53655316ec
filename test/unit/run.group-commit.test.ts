/**
 * Group commit (issue 17): pages are written and committed (one sink flush, one checkpoint write) when
 * `commitPages` pages are pending or `commitIntervalMs` passed since the last commit, whichever comes
 * first, and always when the sweep ends: caught up, budget, deadline, failure.
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError, CheckpointConflictError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import { runExecution } from '../../src/core/run.js';
import { type Harness, harness, recentIds, searchStream, testOptions } from '../support/harness.js';
import { QueryRoutedXApi } from '../support/query-routed-x-api.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });

/** Records each checkpoint write as `save` in the sink's call list, and the until_id it saved. */
function recordSaves(h: Harness): (string | null)[] {
  const saved: (string | null)[] = [];
  const save = h.store.save.bind(h.store);
  h.store.save = async (cp, lease) => {
    saved.push(cp.sweep?.untilId ?? null);
    h.sink.calls.push('save');
    return save(cp, lease);
  };
  return saved;
}

/** One page of `n` batches of 50 posts. */
const writes = (n: number) => Array.from({ length: n }, () => 'write:50');

describe('group commit', () => {
  it('commits every commitPages / 2 pages: their batches written, then one flush and one checkpoint write', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const saved = recordSaves(h);
    // A commit starts at half the bound, so that it can finish while the next pages are read.
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 4 }));
    expect(summary.caught_up).toBe(true);
    // The first checkpoint, then 5 pages of 100 (2 batches each) committed 2 + 2 + 1.
    const commit = ['flush', 'save'];
    expect(h.sink.calls).toEqual([
      'save',
      ...writes(4),
      ...commit,
      ...writes(4),
      ...commit,
      ...writes(2),
      ...commit,
    ]);
    // Below the lowest id of each group; the last write completes the sweep.
    expect(saved).toEqual([null, ids[199], ids[399], null]);
    expect(h.sink.ids).toEqual(ids);
    expect((await h.store.load(stream.name))?.sinceId).toBe(ids[0]);
  });

  it('commits once commitIntervalMs passed since the last commit, before commitPages pages are pending', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const saved = recordSaves(h);
    // Each batch takes 300 ms: a page of 2 batches 600 ms, so the second page is past 1000 ms.
    h.sink.afterWrite = () => h.clock.advance(300);
    await runExecution(
      h.deps,
      [stream],
      testOptions({ batchSize: 50, commitPages: 100, commitIntervalMs: 1000, timeBudgetMs: 3_600_000 }),
    );
    expect(saved).toEqual([null, ids[199], ids[399], null]);
    expect(h.sink.ids).toEqual(ids);
  });

  it('commits what was delivered when the budget stops the sweep before commitPages pages', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const saved = recordSaves(h);
    const summary = await runExecution(
      h.deps,
      [stream],
      testOptions({ batchSize: 50, commitPages: 10, maxTweets: 250 }),
    );
    expect(summary.streams[0]?.outcome).toBe('budget_exhausted');
    expect(saved).toEqual([null, ids[249]]);
    expect(h.sink.calls.filter((c) => c === 'flush')).toHaveLength(1);
    expect((await h.store.load(stream.name))?.sweep).toMatchObject({ newestId: ids[0], untilId: ids[249] });
  });

  it('commits what was delivered when the deadline stops the sweep between pages', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const saved = recordSaves(h);
    // 40 s per batch against a 5-minute budget (75 s kept in hand): the deadline falls in page 3.
    h.sink.afterWrite = () => h.clock.advance(40_000);
    const summary = await runExecution(
      h.deps,
      [stream],
      testOptions({
        batchSize: 50,
        commitPages: 10,
        commitIntervalMs: 3_600_000,
        timeBudgetMs: 300_000,
        finalCommitReserveMs: 75_000,
      }),
    );
    expect(summary.streams[0]?.outcome).toBe('deadline');
    const delivered = h.sink.ids.length;
    expect(delivered).toBeGreaterThan(100);
    expect(delivered).toBeLessThan(500);
    expect(saved).toEqual([null, ids[delivered - 1]]);
    // The next run starts below what was committed: nothing twice, nothing lost.
    h.sink.afterWrite = undefined;
    await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 10 }));
    expect(h.sink.ids).toEqual(ids);
  });

  it('commits the pages delivered before a request that fails for good', async () => {
    const ids = recentIds(START, 500);
    const h = harness(ids);
    const saved = recordSaves(h);
    const ok = () => undefined;
    h.api.faults.push(ok, ok, ok, new AuthenticationError('revoked', 401, 'search_recent', undefined));
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 10 }));
    expect(summary.streams[0]?.outcome).toBe('failed');
    // Pages 1-3 delivered (page 4 was read ahead and failed): committed at once, one flush.
    expect(saved).toEqual([null, ids[299]]);
    await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 10 }));
    expect(h.sink.ids).toEqual(ids);
  });

  it('re-delivers at most commitPages pages after a commit that failed, and loses nothing', async () => {
    const ids = recentIds(START, 900);
    const h = harness(ids);
    const save = h.store.save.bind(h.store);
    let saves = 0;
    h.store.save = async (cp, lease) => {
      // The stream's first checkpoint, the commit of pages 1-3, then the commit of pages 4-6 fails.
      if (++saves === 3) throw new CheckpointConflictError('lost the lease', stream.name);
      return save(cp, lease);
    };
    // commitPages 6: a commit every 3 pages, at most 6 pages written and not committed.
    const first = await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 6 }));
    expect(first.streams[0]?.outcome).toBe('failed');
    // Pages 4-6 (and any written while their commit was in flight) were handed to the sink but never
    // committed: only pages 1-3 are delivered.
    expect(first.tweets_delivered).toBe(300);
    expect((await h.store.load(stream.name))?.sweep).toMatchObject({ untilId: ids[299] });
    const handed = h.sink.ids.length;
    expect(handed).toBeGreaterThanOrEqual(600);
    expect(handed).toBeLessThanOrEqual(900); // the bound: 6 pages past the last commit
    h.store.save = save;
    const second = await runExecution(h.deps, [stream], testOptions({ batchSize: 50, commitPages: 6 }));
    expect(second.caught_up).toBe(true);
    // What was handed over past page 3 comes twice (at most commitPages pages), everything at least once.
    expect(h.sink.ids).toEqual([...ids.slice(0, handed), ...ids.slice(300)]);
  });
});

describe('group commit with many streams', () => {
  it('keeps the sink holding about half of commitPages pages unflushed, however many streams are interleaved', async () => {
    // Eight streams of 10 pages each, served page by page: with only each stream's own pages counted,
    // their commits fell due together (each at its second page) and the first flush took 9 pages.
    const h = harness();
    const api = new QueryRoutedXApi(h.clock);
    const specs = Array.from({ length: 8 }, (_, i) => {
      api.world(`q${i}`).publish(recentIds(START, 1000, 60_000 + i * 200_000));
      return searchStream({
        name: `s${i}`,
        source: { kind: 'search', query: `q${i}`, archive: false },
        initial: { kind: 'lookback', ms: 3_600_000 },
      });
    });
    let unflushed = 0;
    let most = 0;
    h.sink.afterWrite = () => {
      most = Math.max(most, ++unflushed);
    };
    const flush = h.sink.flush.bind(h.sink);
    h.sink.flush = async () => {
      unflushed = 0;
      return flush();
    };
    const summary = await runExecution(
      { ...h.deps, api },
      specs,
      testOptions({ batchSize: 100, commitPages: 4, maxTweets: 10_000 }),
    );
    expect(summary.caught_up).toBe(true);
    expect(summary.tweets_delivered).toBe(8000);
    // One batch per page: at most half of commitPages (2) pages, plus the one written while the
    // commit it made due was being started.
    expect(most).toBeLessThanOrEqual(3);
    // Every stream's posts, each once.
    expect(new Set(h.sink.ids).size).toBe(8000);
  });
});
