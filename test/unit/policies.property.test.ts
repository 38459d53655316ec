import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimitExceededError } from '../../src/core/errors.js';
import { Endpoint } from '../../src/core/ports/x-api.js';
import { RateLimiter } from '../../src/core/rate-limiter.js';
import { backoffDelay } from '../../src/core/retry.js';
import { FakeXApi } from '../support/fake-x-api.js';
import { ManualClock } from '../support/manual-clock.js';

describe('backoffDelay (property)', () => {
  it('stays within [0, min(cap, base * 2^(attempt-1))] and is an integer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, cap, r) => {
          const delay = backoffDelay(attempt, { baseDelayMs: base, maxDelayMs: cap }, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(cap, base * 2 ** (attempt - 1)));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('RateLimiter pacing (property)', () => {
  it('never lets a window see more requests than its limit, whatever the skew and spacing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1_000, max: 900_000 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 120, maxLength: 120 }),
        async (limit, windowMs, requests, skewMs, gaps) => {
          const clock = new ManualClock(1_800_000_000_000);
          const api = new FakeXApi(clock, ['100'], { limit, windowMs });
          api.skewMs = skewMs;
          const limiter = new RateLimiter({ clock, minIntervalMs: 0, pacingThreshold: 0.8 });
          for (let i = 0; i < requests; i++) {
            clock.advance(gaps[i] ?? 0);
            await limiter.beforeRequest(Endpoint.searchRecent);
            // The fake throws RateLimitExceededError when a window goes over its limit.
            const res = await api.get({
              endpoint: Endpoint.searchRecent,
              path: '/2/tweets/search/recent',
              params: {},
            });
            limiter.record(Endpoint.searchRecent, res.rateLimit, res.serverDateMs);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('starts pacing once 80 % of the window is used', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 5, max: 100 }), async (limit) => {
        const clock = new ManualClock(1_800_000_000_000);
        const api = new FakeXApi(clock, ['100'], { limit, windowMs: 900_000 });
        const limiter = new RateLimiter({ clock, minIntervalMs: 0, pacingThreshold: 0.8 });
        const waitsAt: number[] = [];
        for (let i = 1; i <= limit; i++) {
          const before = clock.slept;
          await limiter.beforeRequest(Endpoint.searchRecent);
          if (clock.slept > before) waitsAt.push(i);
          const res = await api.get({ endpoint: Endpoint.searchRecent, path: '/x', params: {} });
          limiter.record(Endpoint.searchRecent, res.rateLimit, res.serverDateMs);
        }
        // Request i waits only when i-1 requests already used >= 80 % of the limit.
        const firstPaced = waitsAt[0];
        expect(firstPaced).toBeDefined();
        expect((firstPaced! - 1) / limit).toBeGreaterThanOrEqual(0.8);
        expect((firstPaced! - 2) / limit).toBeLessThan(0.8);
      }),
      { numRuns: 100 },
    );
  });

  it('the fake really rejects an unpaced burst (so the property above can fail)', async () => {
    const clock = new ManualClock();
    const api = new FakeXApi(clock, [], { limit: 2, windowMs: 1000 });
    const req = { endpoint: Endpoint.searchRecent, path: '/x', params: {} };
    await api.get(req);
    await api.get(req);
    await expect(api.get(req)).rejects.toBeInstanceOf(RateLimitExceededError);
  });
});
