import { describe, expect, it } from 'vitest';
import { RateLimitExceededError, SinkError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { CheckpointStore } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });

/** A 429 whose reset lies 15 minutes ahead: past a 120 s budget, so waiting for it is a deadline. */
const farReset = () =>
  new RateLimitExceededError('429', 429, 'search_recent', 'about:blank', {
    rateLimit: { limit: 450, remaining: 0, resetAtMs: START + 900_000 },
    serverDateMs: START,
  });

describe('a failed commit always wins (outcome failed, an error event)', () => {
  it('is failed, not deadline, when the flush fails while the next request meets a 429 past the deadline', async () => {
    const h = harness(recentIds(START, 250));
    h.sink.flushFailures.push(new SinkError('cannot append to /dev/full: ENOSPC', false));
    h.api.faults.push(() => undefined, farReset());
    const summary = await runExecution(h.deps, [stream], testOptions({ timeBudgetMs: 120_000 }));
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(summary.streams[0]?.error).toContain('ENOSPC');
    expect(h.logger.events('error')[0]).toMatchObject({ stream: stream.name, code: 'sink' });
    expect((await h.store.load(stream.name))?.sinceId).toBe(since);
    expect((await h.store.load(stream.name))?.sweep ?? null).toBeNull();
  });

  it('is failed, not deadline, when the flush fails after the run was aborted (SIGTERM)', async () => {
    const h = harness(recentIds(START, 30));
    const controller = new AbortController();
    h.sink.afterWrite = () => controller.abort(new Error('received SIGTERM'));
    h.sink.flushFailures.push(new SinkError('cannot fsync posts.jsonl: EIO', false));
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }), controller.signal);
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.logger.events('error')).toHaveLength(1);
  });

  it('is failed, not deadline, when the checkpoint write fails after the run was aborted', async () => {
    const h = harness(recentIds(START, 30));
    const controller = new AbortController();
    h.sink.afterWrite = () => controller.abort(new Error('received SIGTERM'));
    const s = h.store;
    const failingStore: CheckpointStore = {
      load: (stream) => s.load(stream),
      save: async () => {
        throw new Error('disk I/O error');
      },
      acquireLease: (stream, owner, ttlMs, nowMs) => s.acquireLease(stream, owner, ttlMs, nowMs),
      renewLease: (lease, ttlMs, nowMs) => s.renewLease(lease, ttlMs, nowMs),
      releaseLease: (lease) => s.releaseLease(lease),
      list: () => s.list(),
      reset: (stream) => s.reset(stream),
      close: () => s.close(),
    };
    const summary = await runExecution(
      { ...h.deps, store: failingStore },
      [stream],
      testOptions({ batchSize: 10 }),
      controller.signal,
    );
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(summary.streams[0]?.error).toContain('disk I/O error');
    expect(h.logger.events('error')).toHaveLength(1);
  });

  it('reports the commit failure over a batch stopped by the deadline in its retry wait', async () => {
    const h = harness(recentIds(START, 30));
    // Batch 1 is acknowledged; batch 2 fails retryably and its backoff would pass the deadline; the
    // commit of batch 1 then fails too.
    h.sink.afterWrite = () => {
      h.sink.failures.push(new SinkError('throttled', true));
      h.sink.flushFailures.push(new SinkError('cannot fsync: EIO', false));
    };
    const summary = await runExecution(
      h.deps,
      [stream],
      testOptions({ batchSize: 10, timeBudgetMs: 1_000, finalCommitReserveMs: 0 }),
    );
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(summary.streams[0]?.error).toContain('EIO');
    expect((await h.store.load(stream.name))?.sinceId).toBe(since);
  });
});
