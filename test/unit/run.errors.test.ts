import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  NetworkError,
  RateLimitExceededError,
  StaleSinceIdError,
  UsageCapExceededError,
} from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });
const DAY = 86_400_000;

const _timeline = (user: string): StreamSpec => ({
  ...stream,
  name: 'tl',
  source: { kind: 'timeline', user, exclude: ['replies'] },
});

describe('runExecution errors', () => {
  it('stops a usage-capped run at once: no retry, state kept, error event and UsageCapped metric', async () => {
    const ids = recentIds(START, 30);
    const h = harness(ids);
    await runExecution(h.deps, [stream], testOptions({ maxTweets: 10 }));
    const before = await h.store.load(stream.name);
    h.api.faults.push(
      new UsageCapExceededError(
        'capped',
        429,
        'search_recent',
        'https://api.twitter.com/2/problems/usage-capped',
        {
          rateLimit: { limit: 450, remaining: 440, resetAtMs: START + 600_000 },
        },
      ),
    );
    const other = { ...stream, name: 'other' };
    // One request in flight at a time: the other stream makes none (at concurrency 2 its request may
    // go out with the capped one: test/unit/run.spend.test.ts has that case for a 402).
    const summary = await runExecution(h.deps, [stream, other], testOptions({ concurrency: 1 }));
    expect(summary.streams.map((s) => s.outcome)).toEqual(['usage_capped', 'usage_capped']);
    expect(h.api.requests).toHaveLength(2);
    expect(await h.store.load(stream.name)).toEqual(before);
    expect(h.metrics.total('UsageCapped')).toBe(1);
    expect(h.logger.events('error')[0]).toMatchObject({
      stream: stream.name,
      code: 'usage_capped',
      retryable: false,
    });
  });

  it('waits for the reset on a 429 and carries on', async () => {
    const h = harness(recentIds(START, 5));
    h.api.faults.push(
      new RateLimitExceededError('429', 429, 'search_recent', 'about:blank', {
        rateLimit: { limit: 450, remaining: 0, resetAtMs: START + 30_000 },
        serverDateMs: START,
      }),
    );
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.caught_up).toBe(true);
    expect(h.sink.ids).toHaveLength(5);
    expect(h.clock.sleeps).toContain(31_000);
    expect(summary.rate_limit_waits).toBe(1);
    // A 429 of the window is a rate-limit wait, not an error.
    expect(h.metrics.total('ErrorsEncountered')).toBe(0);
    expect(h.logger.events('rate_limit_encounter')[0]).toMatchObject({ reason: '429', wait_ms: 31_000 });
    expect(h.logger.events('retry')[0]).toMatchObject({ attempt: 1, delay_ms: 31_000 });
  });

  it('stops and saves instead of waiting past the deadline', async () => {
    const ids = recentIds(START, 250);
    const h = harness(ids);
    // Two pages go through, the third request meets a 429 whose reset lies past the deadline.
    h.api.faults.push(
      () => undefined,
      () => undefined,
    );
    h.api.faults.push(
      new RateLimitExceededError('429', 429, 'search_recent', 'about:blank', {
        rateLimit: { limit: 450, remaining: 0, resetAtMs: START + 900_000 },
        serverDateMs: START,
      }),
    );
    const summary = await runExecution(h.deps, [stream], testOptions({ timeBudgetMs: 120_000 }));
    expect(summary.streams[0]?.outcome).toBe('deadline');
    expect(h.sink.ids).toEqual(ids.slice(0, 200));
    expect((await h.store.load(stream.name))?.sweep?.untilId).toBe(ids[199]);
    expect(h.clock.slept).toBe(0);
  });

  it('retries a 503 with backoff and logs the retry', async () => {
    const h = harness(recentIds(START, 5));
    h.api.faults.push(
      new ApiError('503', 503, 'search_recent', 'about:blank'),
      new NetworkError('reset', 'search_recent'),
    );
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.caught_up).toBe(true);
    expect(h.logger.events('retry').map((e) => e.attempt)).toEqual([1, 2]);
    expect(summary.api_requests).toBe(3);
    // Both failed requests are error events, though retried: errors / requests = 2 / 3.
    expect(h.metrics.total('ErrorsEncountered')).toBe(2);
  });

  it('does not retry a 401, and other streams still run', async () => {
    const h = harness(recentIds(START, 5));
    h.api.faults.push(
      new AuthenticationError('the bearer token was rejected', 401, 'search_recent', undefined),
    );
    const other = { ...stream, name: 'other' };
    const summary = await runExecution(h.deps, [stream, other], testOptions());
    expect(summary.streams.map((s) => s.outcome)).toEqual(['failed', 'caught_up']);
    expect(summary.caught_up).toBe(false);
    // The failed request and the failed stream.
    expect(h.metrics.total('ErrorsEncountered')).toBe(2);
    expect(h.logger.events('error')[0]).toMatchObject({
      code: 'authentication',
      reason: 'the bearer token was rejected',
    });
  });

  it('moves a since_id older than 7 days to the oldest allowed id before calling, logging the gap', async () => {
    const h = harness(recentIds(START, 5));
    const old = timeMsToId(START - 9 * DAY);
    const lease = (await h.store.acquireLease('search-a', 'seed', 1, 0))!;
    await h.store.save(
      {
        stream: 'search-a',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: old,
        sweep: null,
        updatedAt: '',
        writer: 'seed',
      },
      lease,
    );
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    const floor = timeMsToId(START - 7 * DAY + 60_000);
    expect(h.api.requests[0]?.params.since_id).toBe(floor);
    const gap = h.logger.events('gap')[0];
    expect(gap).toMatchObject({ stream: 'search-a', from_since_id: old, to_since_id: floor });
    expect(h.metrics.total('GapSeconds')).toBeCloseTo(2 * 86_400 + 60, 0);
  });

  it('restarts from the suggested id on a 400 stale since_id instead of failing forever', async () => {
    const h = harness(recentIds(START, 5));
    const suggested = timeMsToId(START - 5 * 60_000);
    h.api.faults.push(
      new StaleSinceIdError("'since_id' must be a tweet id created after ...", 'search_recent', suggested),
    );
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    // One margin past the suggestion: the API's edge moves on while the next request is on its way.
    expect(h.api.requests[1]?.params.since_id).toBe(timeMsToId(START - 5 * 60_000 + 60_000));
    expect(h.logger.events('gap')).toHaveLength(1);
    expect(h.sink.ids).toHaveLength(5);
  });
});

describe('runExecution cursors', () => {
  it('tolerates an empty page that repeats the token it was asked with', async () => {
    const ids = recentIds(START, 250);
    const h = harness(ids);
    let calls = 0;
    h.api.transform = (body, request) => {
      calls++;
      // The second request answers empty with the token it was given: "try again from there".
      if (calls === 2) return { meta: { result_count: 0, next_token: request.params.next_token } };
      return body;
    };
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.caught_up).toBe(true);
    expect(h.sink.ids).toEqual(ids);
  });
});

describe('runExecution 7-day window with a pending sweep', () => {
  it('completes a pending sweep whose owed range fell out of the window, logging the gap', async () => {
    const h = harness(recentIds(START, 5));
    const old = timeMsToId(START - 9 * DAY);
    const newest = timeMsToId(START - 8 * DAY);
    const lease = (await h.store.acquireLease('search-a', 'seed', 1, 0))!;
    await h.store.save(
      {
        stream: 'search-a',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: old,
        sweep: { newestId: newest, untilId: null, nextToken: null },
        updatedAt: '',
        writer: 'seed',
      },
      lease,
    );
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    expect(h.logger.events('gap')).toHaveLength(1);
    expect(h.sink.ids).toHaveLength(5);
    expect(h.api.requests[0]?.params.until_id).toBeUndefined();
  });

  it('keeps a pending sweep reaching into the window, owed from the oldest allowed id', async () => {
    const ids = recentIds(START, 5);
    const h = harness(ids);
    const lease = (await h.store.acquireLease('search-a', 'seed', 1, 0))!;
    await h.store.save(
      {
        stream: 'search-a',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: timeMsToId(START - 9 * DAY),
        sweep: { newestId: ids[0]!, untilId: ids[2]!, nextToken: null },
        updatedAt: '',
        writer: 'seed',
      },
      lease,
    );
    await runExecution(h.deps, [stream], testOptions());
    expect(h.api.requests[0]?.params).toMatchObject({
      since_id: timeMsToId(START - 7 * DAY + 60_000),
      until_id: ids[2],
    });
    expect(h.sink.ids).toEqual(ids.slice(3));
  });
});

describe('runExecution sweep overtaken by the 7-day window', () => {
  it('moves since_id up before a request would fall outside the window, and delivers the rest', async () => {
    // 500 posts spread over the 7 days (newest first); each request takes 30 s, so the window's edge
    // moves past the sweep's since_id while it pages.
    const ids = Array.from({ length: 500 }, (_, i) => recentIds(START - i * 20 * 60_000, 1, 60_000)[0]!);
    const h = harness(ids);
    const edgeAtRequest: string[] = [];
    h.api.transform = (body, request) => {
      edgeAtRequest.push(timeMsToId(h.clock.now() - 7 * DAY));
      expect(request.params.since_id).toBeDefined();
      h.clock.advance(30_000);
      return body;
    };
    const summary = await runExecution(
      h.deps,
      [searchStream({ initial: { kind: 'lookback', ms: 7 * DAY } })],
      testOptions(),
    );
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    // Every request's since_id was inside the window the moment it was sent.
    h.api.requests.forEach((request, i) => {
      expect(BigInt(request.params.since_id ?? '0')).toBeGreaterThanOrEqual(BigInt(edgeAtRequest[i] ?? '0'));
    });
    expect(h.logger.events('gap').length).toBeGreaterThan(0);
    // Nothing above the final since_id is missing, nothing delivered twice.
    const finalSince = BigInt((await h.store.load('search-a'))?.sinceId ?? '0');
    const delivered = new Set(h.sink.ids);
    expect(delivered.size).toBe(h.sink.ids.length);
    const missing = ids.filter(
      (id) => !delivered.has(id) && BigInt(id) > BigInt(edgeAtRequest.at(-1) ?? '0'),
    );
    expect(missing).toEqual([]);
    expect(finalSince).toBe(BigInt(ids[0]!));
  });
});
