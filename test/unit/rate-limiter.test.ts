import { describe, expect, it } from 'vitest';
import { DeadlineError } from '../../src/core/errors.js';
import { bucketKey, RateLimiter } from '../../src/core/rate-limiter.js';
import { ManualClock } from '../support/manual-clock.js';

const NOW = 1_800_000_000_000;

function setup(options: { minIntervalMs?: number; pacingThreshold?: number } = {}) {
  const clock = new ManualClock(NOW);
  const limiter = new RateLimiter({
    clock,
    minIntervalMs: options.minIntervalMs ?? 0,
    pacingThreshold: options.pacingThreshold ?? 0.8,
  });
  return { clock, limiter };
}

describe('RateLimiter', () => {
  it('does not wait without any headers or history', async () => {
    const { clock, limiter } = setup();
    await limiter.beforeRequest('search_recent');
    await limiter.beforeRequest('search_recent');
    expect(clock.sleeps).toEqual([]);
  });

  it('keeps the minimum interval between any two requests, across endpoints', async () => {
    const { clock, limiter } = setup({ minIntervalMs: 1000 });
    await limiter.beforeRequest('search_recent');
    clock.advance(300);
    await limiter.beforeRequest('user_tweets');
    expect(clock.sleeps).toEqual([700]);
  });

  it('waits until x-rate-limit-reset when remaining is 0', async () => {
    const { clock, limiter } = setup();
    limiter.record('search_recent', { limit: 450, remaining: 0, resetAtMs: NOW + 120_000 }, NOW);
    const reasons: string[] = [];
    await limiter.beforeRequest('search_recent', { onWait: (w) => void reasons.push(w.reason) });
    expect(clock.sleeps).toEqual([121_000]);
    expect(reasons).toEqual(['exhausted']);
  });

  it('measures the reset against the server Date header to cancel clock skew', async () => {
    const { clock, limiter } = setup();
    // The server clock is 5 minutes behind ours: its reset in 60 s reads as NOW - 240 s locally.
    const serverNow = NOW - 300_000;
    limiter.record('search_recent', { limit: 450, remaining: 0, resetAtMs: serverNow + 60_000 }, serverNow);
    await limiter.beforeRequest('search_recent');
    expect(clock.sleeps).toEqual([61_000]);
  });

  it('does not pace below the threshold', async () => {
    const { clock, limiter } = setup();
    limiter.record('search_recent', { limit: 100, remaining: 21, resetAtMs: NOW + 600_000 });
    await limiter.beforeRequest('search_recent');
    expect(clock.sleeps).toEqual([]);
  });

  it('paces at 80 % so the remaining calls spread evenly over the time to reset', async () => {
    const { clock, limiter } = setup();
    await limiter.beforeRequest('search_recent');
    limiter.record('search_recent', { limit: 100, remaining: 20, resetAtMs: NOW + 600_000 });
    const reasons: string[] = [];
    await limiter.beforeRequest('search_recent', { onWait: (w) => void reasons.push(w.reason) });
    // 600 s / 20 calls = 30 s after the previous request.
    expect(clock.sleeps).toEqual([30_000]);
    expect(reasons).toEqual(['pacing']);
  });

  it('keeps its own count between responses so pacing holds without fresh headers', async () => {
    const { clock, limiter } = setup();
    limiter.record('search_recent', { limit: 10, remaining: 2, resetAtMs: NOW + 100_000 });
    await limiter.beforeRequest('search_recent'); // remaining 2 → 1 (pacing: 50 s spacing, first has no history)
    await limiter.beforeRequest('search_recent'); // remaining 1 → 0
    await limiter.beforeRequest('search_recent'); // must wait for the reset
    expect(clock.now()).toBeGreaterThanOrEqual(NOW + 100_000);
  });

  it('keeps search/all to one request per second even with no minimum interval', async () => {
    const { clock, limiter } = setup();
    await limiter.beforeRequest('search_all');
    clock.advance(200);
    await limiter.beforeRequest('search_all');
    expect(clock.sleeps).toEqual([800]);
  });

  it('respects an exhausted 24-hour limit', async () => {
    const { clock, limiter } = setup();
    limiter.record(
      'search_recent',
      {
        limit: 450,
        remaining: 400,
        resetAtMs: NOW + 600_000,
        day: { limit: 17, remaining: 0, resetAtMs: NOW + 3_600_000 },
      },
      NOW,
    );
    await limiter.beforeRequest('search_recent');
    expect(clock.sleeps).toEqual([3_601_000]);
  });

  it('throws DeadlineError instead of a wait past the deadline, without sleeping', async () => {
    const { clock, limiter } = setup();
    limiter.record('search_recent', { limit: 450, remaining: 0, resetAtMs: NOW + 900_000 }, NOW);
    await expect(limiter.beforeRequest('search_recent', { deadlineMs: NOW + 60_000 })).rejects.toBeInstanceOf(
      DeadlineError,
    );
    expect(clock.sleeps).toEqual([]);
  });

  it('starts a fresh window after the reset passed', async () => {
    const { clock, limiter } = setup();
    limiter.record('search_recent', { limit: 10, remaining: 0, resetAtMs: NOW + 1_000 }, NOW);
    clock.advance(5_000);
    await limiter.beforeRequest('search_recent');
    await limiter.beforeRequest('search_recent');
    expect(clock.sleeps).toEqual([]);
  });

  it('keys buckets by endpoint and token', () => {
    expect(bucketKey('search_recent')).toBe('search_recent');
    expect(bucketKey('search_recent', 'app-2')).toBe('search_recent:app-2');
  });
});
