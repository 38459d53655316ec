import { describe, expect, it } from 'vitest';
import { CheckpointConflictError, SinkError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import { runExecution } from '../../src/core/run.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });

describe('runExecution frontier', () => {
  it('delivers every post newest first and moves since_id to the newest id when caught up', async () => {
    // Prepare
    const ids = recentIds(START, 250);
    const h = harness(ids);
    // Act
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 40 }));
    // Assess
    expect(h.sink.ids).toEqual(ids);
    expect(summary.caught_up).toBe(true);
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    const cp = await h.store.load(stream.name);
    expect(cp?.sinceId).toBe(ids[0]);
    expect(cp?.sweep).toBeNull();
    expect(summary.api_requests).toBe(3);
  });

  it('stops mid-page at maxTweets and keeps the rest owed via until_id', async () => {
    const ids = recentIds(START, 100);
    const h = harness(ids);
    const summary = await runExecution(h.deps, [stream], testOptions({ maxTweets: 30, batchSize: 7 }));
    expect(summary.tweets_delivered).toBe(30);
    expect(summary.caught_up).toBe(false);
    expect(summary.streams[0]?.outcome).toBe('budget_exhausted');
    const cp = await h.store.load(stream.name);
    expect(cp?.sinceId).toBe(since);
    expect(cp?.sweep).toMatchObject({ newestId: ids[0], untilId: ids[29] });
  });

  it('asks only for what the budget can deliver, not below the endpoint minimum', async () => {
    const h = harness(recentIds(START, 100));
    await runExecution(h.deps, [stream], testOptions({ maxTweets: 3 }));
    expect(h.api.requests[0]?.params.max_results).toBe('10');
    const h2 = harness(recentIds(START, 100));
    await runExecution(h2.deps, [stream], testOptions({ maxTweets: 1000 }));
    expect(h2.api.requests[0]?.params.max_results).toBe('100');
    expect(h2.sink.ids).toHaveLength(100);
  });

  it('finishes a pending sweep with until_id first, then starts a new sweep from the new since_id', async () => {
    const ids = recentIds(START, 60);
    const h = harness(ids);
    await runExecution(h.deps, [stream], testOptions({ maxTweets: 25, batchSize: 10 }));
    const newer = recentIds(START + 30_000, 5, 1_000);
    h.api.publish(newer);
    h.clock.advance(30_000);
    const second = await runExecution(h.deps, [stream], testOptions());
    const resume = h.api.requests[1]!;
    expect(resume.params.until_id).toBe(ids[24]);
    expect(resume.params.since_id).toBe(since);
    expect(resume.params.next_token).toBeUndefined();
    const fresh = h.api.requests[2]!;
    expect(fresh.params.since_id).toBe(ids[0]);
    expect(fresh.params.until_id).toBeUndefined();
    expect(h.sink.ids).toEqual([...ids, ...newer]);
    expect(second.caught_up).toBe(true);
    expect((await h.store.load(stream.name))?.sinceId).toBe(newer[0]);
  });

  it('is not caught up when it only finished an old pending sweep', async () => {
    const ids = recentIds(START, 30);
    const h = harness(ids);
    await runExecution(h.deps, [stream], testOptions({ maxTweets: 10 }));
    const second = await runExecution(h.deps, [stream], testOptions({ maxTweets: 20 }));
    expect(second.tweets_delivered).toBe(20);
    expect(second.caught_up).toBe(false);
    expect(second.streams[0]?.outcome).toBe('budget_exhausted');
    // Nothing is left but the sweep is complete: since_id moved.
    expect((await h.store.load(stream.name))?.sinceId).toBe(ids[0]);
  });

  it('treats an empty first page as caught up without touching the checkpoint', async () => {
    const h = harness([]);
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.caught_up).toBe(true);
    expect((await h.store.load(stream.name))?.sinceId).toBe(since);
    expect(h.sink.batches).toHaveLength(0);
  });

  it('redelivers only the batch in flight after a crash between sink ack and checkpoint save', async () => {
    const ids = recentIds(START, 50);
    const h = harness(ids);
    let writes = 0;
    h.sink.afterWrite = () => {
      writes++;
      if (writes === 3) throw new Error('crash after ack');
    };
    const first = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(first.streams[0]?.outcome).toBe('failed');
    h.sink.afterWrite = undefined;
    await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    const delivered = h.sink.ids;
    expect(new Set(delivered)).toEqual(new Set(ids));
    const dupes = delivered.filter((id, i) => delivered.indexOf(id) !== i);
    expect(dupes).toEqual(ids.slice(20, 30));
  });

  it('with --commit-pages 1 commits a page at a time: its batches written, one flush, then one checkpoint write', async () => {
    const ids = recentIds(START, 250);
    const h = harness(ids);
    const saved: (string | null)[] = [];
    const save = h.store.save.bind(h.store);
    h.store.save = async (cp, lease) => {
      saved.push(cp.sweep?.untilId ?? null);
      h.sink.calls.push('save');
      return save(cp, lease);
    };
    await runExecution(h.deps, [stream], testOptions({ batchSize: 40, commitPages: 1 }));
    // The stream's first checkpoint, then pages of 100, 100, 50: 3 + 3 + 2 batches of at most 40.
    const page = (...sizes: number[]) => [...sizes.map((n) => `write:${n}`), 'flush', 'save'];
    expect(h.sink.calls).toEqual(['save', ...page(40, 40, 20), ...page(40, 40, 20), ...page(40, 10)]);
    // Below the lowest id of each page; the last save completes the sweep.
    expect(saved).toEqual([null, ids[99], ids[199], null]);
  });

  it('fails the stream when the checkpoint write of a page fails after the next page was requested, losing nothing', async () => {
    const ids = recentIds(START, 300);
    const h = harness(ids);
    const save = h.store.save.bind(h.store);
    let saves = 0;
    let requestsAtFailure = 0;
    h.store.save = async (cp, lease) => {
      saves++;
      if (saves === 3) {
        // The second page's checkpoint write: the third page was already asked for.
        requestsAtFailure = h.api.requests.length;
        throw new CheckpointConflictError('lost the lease', stream.name);
      }
      return save(cp, lease);
    };
    const first = await runExecution(h.deps, [stream], testOptions({ batchSize: 25, commitPages: 1 }));
    expect(requestsAtFailure).toBe(3);
    expect(first.streams[0]?.outcome).toBe('failed');
    // Page 2 was written but its commit failed: only page 1 is delivered.
    expect(first.tweets_delivered).toBe(100);
    // Nothing past the first page is committed.
    expect((await h.store.load(stream.name))?.sweep).toMatchObject({ untilId: ids[99] });
    h.store.save = save;
    const second = await runExecution(h.deps, [stream], testOptions({ batchSize: 25 }));
    expect(second.caught_up).toBe(true);
    expect(new Set(h.sink.ids)).toEqual(new Set(ids));
    expect(h.sink.ids).toEqual([...ids.slice(0, 200), ...ids.slice(100)]);
  });

  it('keeps the checkpoint where it was when the flush fails, and delivers the page again next run', async () => {
    const ids = recentIds(START, 30);
    const h = harness(ids);
    h.sink.flushFailures.push(new SinkError('fsync failed', false));
    const first = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(first.streams[0]?.outcome).toBe('failed');
    expect((await h.store.load(stream.name))?.sinceId).toBe(since);
    const second = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(second.caught_up).toBe(true);
    expect(h.sink.ids).toEqual([...ids, ...ids]);
    expect((await h.store.load(stream.name))?.sinceId).toBe(ids[0]);
  });

  it('commits the batches acknowledged before a batch that fails for good', async () => {
    const ids = recentIds(START, 50);
    const h = harness(ids);
    h.sink.afterWrite = () => {
      if (h.sink.batches.length === 3) h.sink.failures.push(new SinkError('rejected', false));
    };
    const first = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(first.streams[0]?.outcome).toBe('failed');
    expect(first.tweets_delivered).toBe(30);
    expect((await h.store.load(stream.name))?.sweep).toMatchObject({ newestId: ids[0], untilId: ids[29] });
    h.sink.afterWrite = undefined;
    await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(h.sink.ids).toEqual(ids);
  });

  it('starts at now on a first run with initial position now, reading nothing older', async () => {
    const h = harness(recentIds(START, 20));
    const summary = await runExecution(h.deps, [searchStream()], testOptions());
    expect(h.sink.ids).toHaveLength(0);
    expect(h.api.requests).toHaveLength(1);
    expect(h.api.requests[0]?.params.since_id).toBe(timeMsToId(START));
    expect(summary.caught_up).toBe(true);
    expect((await h.store.load('search-a'))?.sinceId).toBe(timeMsToId(START));
  });

  it('starts lookback streams at now - lookback', async () => {
    const ids = recentIds(START, 20, 120_000);
    const h = harness(ids);
    await runExecution(h.deps, [searchStream({ initial: { kind: 'lookback', ms: 60_000 } })], testOptions());
    expect(h.api.requests[0]?.params.since_id).toBe(timeMsToId(START - 60_000));
  });

  it('clamps a lookback on recent search to the 7-day window plus a minute', async () => {
    const h = harness([]);
    await runExecution(
      h.deps,
      [searchStream({ initial: { kind: 'lookback', ms: 30 * 86_400_000 } })],
      testOptions(),
    );
    expect(h.api.requests[0]?.params.since_id).toBe(timeMsToId(START - 7 * 86_400_000 + 60_000));
  });
});
