import { describe, expect, it, vi } from 'vitest';
import { RateLimitExceededError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import { RateLimiter } from '../../src/core/rate-limiter.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });
const _DAY = 86_400_000;

const timeline = (user: string): StreamSpec => ({
  ...stream,
  name: 'tl',
  source: { kind: 'timeline', user, exclude: ['replies'] },
});

describe('runExecution streams', () => {
  it('resolves a username once and keeps the user id in the checkpoint', async () => {
    const h = harness(recentIds(START, 3));
    h.api.users.set('jack', '12');
    await runExecution(h.deps, [timeline('@jack')], testOptions());
    expect(h.api.requests[0]?.path).toBe('/2/users/by/username/jack');
    expect(h.api.requests[1]?.path).toBe('/2/users/12/tweets');
    expect(h.api.requests[1]?.params.exclude).toBe('replies');
    expect((await h.store.load('tl'))?.userId).toBe('12');
    await runExecution(h.deps, [timeline('@jack')], testOptions());
    expect(h.api.requests.filter((r) => r.endpoint === 'user_by_username')).toHaveLength(1);
  });

  it('uses a numeric user as the id without a lookup', async () => {
    const h = harness(recentIds(START, 3));
    await runExecution(
      h.deps,
      [{ ...timeline('783214'), source: { kind: 'mentions', user: '783214' } }],
      testOptions(),
    );
    expect(h.api.requests[0]?.path).toBe('/2/users/783214/mentions');
    expect(h.api.requests[0]?.params.max_results).toBe('100');
  });

  it('fails a stream whose username does not exist, without retrying', async () => {
    const h = harness([]);
    const summary = await runExecution(h.deps, [timeline('nobody')], testOptions());
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(summary.streams[0]?.error).toMatch(/nobody not found/);
    expect(h.api.requests).toHaveLength(1);
    expect(await h.store.load('tl')).toBeNull();
  });

  it('reports a corrupt checkpoint naming the stream and never resets it', async () => {
    const h = harness(recentIds(START, 3));
    h.store.putRaw('search-a', { schemaVersion: 2, stream: 'search-a', sinceId: 'garbage' });
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.logger.events('error')[0]).toMatchObject({ stream: 'search-a', code: 'corrupt_checkpoint' });
    expect(String(h.logger.events('error')[0]?.reason)).toContain('search-a');
    expect(h.api.requests).toHaveLength(0);
    await expect(h.store.load('search-a')).rejects.toThrow(/corrupt/);
  });

  it.each([
    ['a non-numeric id', (b: Record<string, unknown>) => ({ ...b, data: [{ id: 'abc' }] })],
    ['ascending ids', (b: Record<string, unknown>) => ({ ...b, data: [...(b.data as unknown[])].reverse() })],
    ['an id below since_id', (b: Record<string, unknown>) => ({ ...b, data: [{ id: '5' }] })],
  ])('fails on a hostile page (%s) with the checkpoint untouched', async (_name, transform) => {
    const h = harness(recentIds(START, 5));
    await runExecution(h.deps, [stream], testOptions({ maxTweets: 2 }));
    const before = await h.store.load(stream.name);
    h.api.transform = transform;
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.logger.events('error').at(-1)).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(await h.store.load(stream.name)).toEqual(before);
    expect(h.sink.ids).toHaveLength(2);
  });

  it('skips a stream whose lease another execution holds', async () => {
    const h = harness(recentIds(START, 3));
    await h.store.acquireLease('search-a', 'someone-else', 60_000, START);
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('skipped_locked');
    expect(h.logger.events('stream_skipped')).toHaveLength(1);
    expect(h.api.requests).toHaveLength(0);
  });

  it('renews the lease before a wait that would outlive it, and releases it at the end', async () => {
    const h = harness(recentIds(START, 5));
    h.api.faults.push(
      new RateLimitExceededError('429', 429, 'search_recent', 'about:blank', {
        rateLimit: { limit: 450, remaining: 0, resetAtMs: START + 300_000 },
        serverDateMs: START,
      }),
    );
    const renew = vi.spyOn(h.store, 'renewLease');
    const summary = await runExecution(h.deps, [stream], testOptions({ leaseTtlMs: 60_000 }));
    expect(summary.caught_up).toBe(true);
    // Renewed for the 301 s wait plus a full TTL, before sleeping.
    expect(renew).toHaveBeenCalledWith(expect.objectContaining({ stream: 'search-a' }), 361_000, START);
    expect(h.store.currentLease('search-a')).toBeUndefined();
  });

  it('fails the stream when its lease was taken over, without writing', async () => {
    const h = harness(recentIds(START, 50));
    h.sink.afterWrite = () => {
      h.clock.advance(120_000);
      void h.store.acquireLease('search-a', 'thief', 60_000, h.clock.now());
    };
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }));
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.logger.events('error')[0]).toMatchObject({ code: 'checkpoint_conflict' });
  });

  it('stops before the deadline and when aborted, saving what was delivered', async () => {
    const ids = recentIds(START, 40);
    const h = harness(ids);
    const controller = new AbortController();
    h.sink.afterWrite = (batch) => {
      if (batch.tweets[0]?.id === ids[10]) controller.abort();
    };
    const summary = await runExecution(h.deps, [stream], testOptions({ batchSize: 10 }), controller.signal);
    expect(summary.streams[0]?.outcome).toBe('deadline');
    expect(h.sink.ids).toEqual(ids.slice(0, 20));
    expect((await h.store.load(stream.name))?.sweep?.untilId).toBe(ids[19]);
  });

  it('shares maxTweets fairly across streams with a backlog', async () => {
    const h = harness(recentIds(START, 30));
    const summary = await runExecution(
      h.deps,
      [stream, { ...stream, name: 'b' }],
      testOptions({ maxTweets: 40 }),
    );
    expect(summary.tweets_delivered).toBe(40);
    expect(summary.streams.map((s) => [s.outcome, s.tweets_delivered])).toEqual([
      ['budget_exhausted', 20],
      ['budget_exhausted', 20],
    ]);
  });

  it('emits start and end events with one correlation id, and the metrics', async () => {
    const h = harness(recentIds(START, 30));
    const summary = await runExecution(
      h.deps,
      [stream],
      testOptions({ batchSize: 10, correlationId: 'corr-1' }),
    );
    const start = h.logger.events('execution_start')[0];
    const end = h.logger.events('execution_end')[0];
    expect(start?.correlation_id).toBe('corr-1');
    expect(end).toMatchObject({
      correlation_id: 'corr-1',
      caught_up: true,
      tweets_delivered: 30,
      api_requests: 1,
      rate_limit_waits: 0,
    });
    expect(typeof end?.duration_ms).toBe('number');
    expect(h.logger.events('batch')).toHaveLength(3);
    expect(h.logger.events('api_call')[0]).toMatchObject({
      endpoint: 'search_recent',
      status: 200,
      result_count: 30,
    });
    expect(h.logger.events('checkpoint_update').at(-1)).toMatchObject({
      since_id: summary.streams[0]?.since_id,
      until_id: null,
    });
    expect(h.metrics.total('TweetsProcessed')).toBe(30);
    expect(h.metrics.total('BatchesDelivered')).toBe(3);
    expect(h.metrics.total('ApiRequests')).toBe(1);
    expect(h.metrics.values.some((v) => v.name === 'ExecutionDurationSeconds')).toBe(true);
    expect(h.sink.batches.every((b) => b.correlation_id === 'corr-1')).toBe(true);
  });

  it('never requests the same page twice when the API repeats a next_token', async () => {
    const h = harness(recentIds(START, 30));
    h.api.transform = (body) => ({ ...body, meta: { ...(body.meta as object), next_token: 'same' } });
    const summary = await runExecution(h.deps, [stream], testOptions({ maxTweets: 1000 }));
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.api.requests.length).toBeLessThanOrEqual(2);
  });
});

describe('runExecution store failures', () => {
  it('reports a store that cannot take leases as a failed stream and still ends the execution', async () => {
    const h = harness(recentIds(START, 3));
    h.store.acquireLease = async () => {
      throw new Error('disk full');
    };
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('failed');
    expect(h.logger.events('execution_end')).toHaveLength(1);
  });
});

describe('runExecution rate limiter across executions', () => {
  it('keeps search/all at one request per second across back-to-back executions when the limiter is shared', async () => {
    const h = harness(recentIds(START, 3));
    const archive = { ...stream, source: { kind: 'search' as const, query: 'q', archive: true } };
    const deps = {
      ...h.deps,
      rateLimiter: new RateLimiter({ clock: h.clock, minIntervalMs: 0, pacingThreshold: 0.8 }),
    };
    await runExecution(deps, [archive], testOptions());
    await runExecution(deps, [archive], testOptions());
    expect(h.api.requests).toHaveLength(2);
    expect(h.clock.sleeps).toEqual([1000]);
  });
});
