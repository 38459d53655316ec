import { describe, expect, it } from 'vitest';
import { RateLimitExceededError } from '../../src/core/errors.js';
import {
  isNewer,
  lagSeconds,
  newestCreatedMs,
  owedAgeSeconds,
  postCreatedMs,
} from '../../src/core/freshness.js';
import { timeMsToId } from '../../src/core/ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../src/core/ports/checkpoint-store.js';
import { MetricName } from '../../src/core/ports/observability.js';
import { runExecution } from '../../src/core/run.js';
import { toRunRecord } from '../../src/core/run-history.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);

describe('freshness', () => {
  it('reads created_at, and falls back to the time the id encodes', () => {
    const id = timeMsToId(START - 5_000);
    expect(postCreatedMs({ id, created_at: '2026-11-28T11:00:00.000Z' })).toBe(Date.UTC(2026, 10, 28, 11));
    expect(postCreatedMs({ id })).toBe(START - 5_000);
    expect(postCreatedMs({ id: 'x', created_at: 'not a date' })).toBeNaN();
  });

  it.each([
    [5, undefined, true],
    [5, Number.NaN, true],
    [5, 4, true],
    [5, 5, false],
    [Number.NaN, undefined, false],
  ])('isNewer(%d, %s) is %s', (candidate, current, expected) => {
    expect(isNewer(candidate, current)).toBe(expected);
  });

  it('finds the newest post of a batch, whatever the order', () => {
    const posts = [START - 9_000, START - 1_000, START - 5_000].map((ms) => ({ id: timeMsToId(ms) }));
    expect(newestCreatedMs(posts)).toBe(START - 1_000);
    expect(newestCreatedMs([])).toBeNaN();
  });

  it.each([
    [START - 90_000, START, 90],
    [START - 1_234, START, 1.2],
    [START + 5_000, START, 0], // a post from a clock ahead of ours is never "negative" lag
  ])('lag of a post created at %d and delivered at %d is %d s', (created, delivered, expected) => {
    expect(lagSeconds(created, delivered)).toBe(expected);
  });

  it('ages what is owed from since_id, and is null when nothing is owed', () => {
    const checkpoint: Checkpoint = {
      stream: 's',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId: timeMsToId(START - 3_600_000),
      sweep: null,
      updatedAt: '',
      writer: '',
    };
    expect(owedAgeSeconds(checkpoint, START)).toBeNull();
    const owing = {
      ...checkpoint,
      sweep: { newestId: timeMsToId(START), untilId: null, nextToken: null },
    };
    expect(owedAgeSeconds(owing, START)).toBe(3600);
    expect(owedAgeSeconds(null, START)).toBeNull();
  });
});

describe('runExecution per-stream activity and freshness', () => {
  it("gives each stream its own requests, 429s, waits, lag and owed, and the run's history record", async () => {
    // Prepare: 250 posts for stream a (3 pages of 100), the newest 2 s old; stream b sees a 429 first.
    const h = harness(recentIds(START, 250, 60_000));
    h.clock.advance(2_000 - (60_000 - 249 * 100));
    const a = searchStream({ name: 'a', initial: { kind: 'since_id', id: since } });
    const b = searchStream({ name: 'b', initial: { kind: 'since_id', id: since } });
    const summaryA = await runExecution(h.deps, [a], testOptions());
    h.api.faults.push(
      new RateLimitExceededError('Too Many Requests', 429, 'search_recent', 'about:blank', {
        retryAfterMs: 1_000,
      }),
    );

    // Act
    const summary = await runExecution(h.deps, [a, b], testOptions({ maxTweets: 100 }));

    // Assess
    const first = summaryA.streams[0]!;
    expect(first).toMatchObject({ stream: 'a', tweets_delivered: 250, api_requests: 3, rate_limited: 0 });
    expect(first.freshness_lag_seconds).toBe(2);
    expect(first.owed_age_seconds).toBeNull();
    const [sa, sb] = summary.streams;
    // Two requests: the one answered 429, then its retry.
    expect(sa).toMatchObject({ stream: 'a', outcome: 'caught_up', tweets_delivered: 0, api_requests: 2 });
    expect(sa?.rate_limited).toBe(1);
    expect(sa?.rate_limit_waits).toBe(1);
    expect(sa?.freshness_lag_seconds).toBeNull(); // nothing delivered, nothing measured
    expect(sb).toMatchObject({
      stream: 'b',
      outcome: 'budget_exhausted',
      tweets_delivered: 100,
      rate_limited: 0,
    });
    expect(sb?.owed_age_seconds).toBeGreaterThan(500); // owes the posts from 10 minutes back
    expect(summary.api_requests).toBe((sa?.api_requests ?? 0) + (sb?.api_requests ?? 0));
    expect(h.metrics.values.filter((v) => v.name === MetricName.freshnessLagSeconds).length).toBe(2);
    expect(h.logger.events('freshness').map((f) => f.stream)).toEqual(['a', 'a', 'b']);
    const end = h.logger.events('execution_end').at(-1);
    expect(end?.streams).toEqual([
      expect.objectContaining({ stream: 'a', rate_limited: 1, freshness_lag_seconds: null }),
      expect.objectContaining({ stream: 'b', tweets_delivered: 100, owed_age_seconds: sb?.owed_age_seconds }),
    ]);

    const record = toRunRecord(summary, h.clock.now(), {
      spendOf: (s) => (s === 'b' ? { posts_billed: 100, spend_usd: 0.5 } : undefined),
      maxSpendUsdPerDay: 3,
    });
    expect(record).toMatchObject({
      correlation_id: 'test-run',
      started_at: summary.started_at,
      max_spend_usd_per_day: 3,
      streams: [
        { stream: 'a', posts: 0, requests: 2, rate_limited: 1, waits: 1, gaps: 0 },
        { stream: 'b', posts: 100, posts_billed: 100, spend_usd: 0.5, outcome: 'budget_exhausted' },
      ],
    });
    expect(record.streams[0]).not.toHaveProperty('spend_usd');
  });

  it('counts a gap against the stream whose since_id fell out of the 7-day window', async () => {
    const h = harness(recentIds(START, 3));
    const lease = (await h.store.acquireLease('stale', 'seed', 1, 0))!;
    const old = timeMsToId(START - 8 * 86_400_000);
    await h.store.save(
      {
        stream: 'stale',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: old,
        sweep: null,
        updatedAt: '',
        writer: 'seed',
      },
      lease,
    );
    const summary = await runExecution(
      h.deps,
      [
        searchStream({ name: 'stale' }),
        searchStream({ name: 'ok', initial: { kind: 'since_id', id: since } }),
      ],
      testOptions(),
    );
    expect(summary.streams.map((s) => [s.stream, s.gaps])).toEqual([
      ['stale', 1],
      ['ok', 0],
    ]);
    expect(summary.streams[0]?.gap_seconds).toBeGreaterThan(86_000);
  });
});
