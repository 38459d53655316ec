import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jainIndex, nextLags, pickNext, type ShareClaim, waterFill } from '../../src/core/fair-share.js';

const open = (weight = 1, floor = 0): ShareClaim => ({ weight, floor, cap: Number.POSITIVE_INFINITY });
const done = (took: number, weight = 1): ShareClaim => ({ weight, floor: took, cap: took });

describe('waterFill', () => {
  it.each([
    ['equal weights split evenly', 800, [open(), open(), open(), open()], [200, 200, 200, 200]],
    ['rounding leftovers go to the earlier claims', 10, [open(), open(), open()], [4, 3, 3]],
    ['weights scale the share', 900, [open(2), open(1)], [600, 300]],
    [
      'what a finished stream did not need flows to the others',
      800,
      [done(50), open(), open()],
      [50, 375, 375],
    ],
    ['a share never drops below what was delivered', 100, [open(1, 90), open(), open()], [90, 5, 5]],
    ['never more than the caps', 800, [done(10), done(20)], [10, 20]],
    ['a zero budget', 0, [open(), open()], [0, 0]],
  ])('%s', (_name, total, claims, expected) => {
    expect(waterFill(total, claims)).toEqual(expected);
  });

  it('hands out min(total, sum of caps), within [floor, cap], max-min fair to one post per weight', () => {
    const claim = fc.record({
      weight: fc.constantFrom(0.5, 1, 2, 3),
      floor: fc.integer({ min: 0, max: 50 }),
      extra: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(claim, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 5000 }),
        (raw, budget) => {
          const claims = raw.map((c) => ({
            weight: c.weight,
            floor: c.floor,
            cap: c.extra === undefined ? Number.POSITIVE_INFINITY : c.floor + c.extra,
          }));
          const floors = claims.reduce((s, c) => s + c.floor, 0);
          const total = floors + budget;
          const shares = waterFill(total, claims);
          const caps = claims.reduce((s, c) => s + c.cap, 0);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(Math.min(total, caps));
          shares.forEach((s, i) => {
            const c = claims[i] as ShareClaim;
            expect(s).toBeGreaterThanOrEqual(c.floor);
            expect(s).toBeLessThanOrEqual(c.cap);
          });
          // Max-min: a claim held below its cap is not behind any claim above its floor (by more than rounding).
          shares.forEach((si, i) => {
            const ci = claims[i] as ShareClaim;
            if (si >= ci.cap) return;
            shares.forEach((sj, j) => {
              const cj = claims[j] as ShareClaim;
              if (sj <= cj.floor) return;
              expect((si + 1) / ci.weight).toBeGreaterThanOrEqual((sj - 1) / cj.weight - 1e-9);
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the same shares as a bisection of the water level (the reference it replaced)', () => {
    // The level by bisection: 64 doublings, then 64 halvings of [low, high] (waterFill's first version).
    const reference = (total: number, claims: readonly ShareClaim[]): number[] => {
      const at = (c: ShareClaim, x: number) => Math.min(c.cap, Math.max(c.floor, x * c.weight));
      const sum = (x: number) => claims.reduce((s, c) => s + at(c, x), 0);
      const target = Math.max(
        0,
        Math.min(
          total,
          claims.reduce((s, c) => s + c.cap, 0),
        ),
      );
      let low = 0;
      let high = 1;
      for (let i = 0; i < 64 && sum(high) < target; i++) high *= 2;
      for (let i = 0; i < 64; i++) {
        const mid = (low + high) / 2;
        if (sum(mid) < target) low = mid;
        else high = mid;
      }
      // waterFill's rounding, on the reference level.
      const exact = claims.map((c) => at(c, low));
      const shares = exact.map((x, i) => Math.max((claims[i] as ShareClaim).floor, Math.floor(x + 1e-9)));
      let left = target - shares.reduce((s, x) => s + x, 0);
      const order = exact
        .map((x, i) => ({ i, frac: x - Math.floor(x + 1e-9) }))
        .sort((a, b) => (Math.abs(b.frac - a.frac) > 1e-9 ? b.frac - a.frac : a.i - b.i));
      for (let round = 0; left > 0 && round < 1_000_000; round++) {
        const before = left;
        for (const { i } of order) {
          if (left > 0 && (shares[i] as number) < (claims[i] as ShareClaim).cap) {
            shares[i] = (shares[i] as number) + 1;
            left--;
          }
        }
        if (left === before) break;
      }
      return shares;
    };
    const claim = fc.record({
      weight: fc.constantFrom(0.25, 0.5, 1, 1.5, 2, 3, 10),
      floor: fc.integer({ min: 0, max: 300 }),
      extra: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(claim, { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 0, max: 100_000 }),
        (raw, total) => {
          const claims = raw.map((c) => ({
            weight: c.weight,
            floor: c.floor,
            cap: c.extra === undefined ? Number.POSITIVE_INFINITY : c.floor + c.extra,
          }));
          expect(waterFill(total, claims)).toEqual(reference(total, claims));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('pickNext', () => {
  it.each([
    [
      'the fewest pages first',
      [
        { pages: 2, weight: 1 },
        { pages: 1, weight: 1 },
      ],
      1,
    ],
    [
      'ties go to the earlier claim',
      [
        { pages: 1, weight: 1 },
        { pages: 1, weight: 1 },
      ],
      0,
    ],
    [
      'a weight of 2 gets two pages per page of weight 1',
      [
        { pages: 1, weight: 2 },
        { pages: 1, weight: 1 },
      ],
      0,
    ],
    ['none', [], -1],
  ])('%s', (_name, claims, expected) => {
    expect(pickNext(claims)).toBe(expected);
  });

  it('gives pages in proportion to weight, within two pages at every moment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0.5, 1, 2, 3, 5), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 400 }),
        (weights, turns) => {
          const pages = weights.map(() => 0);
          const total = weights.reduce((a, b) => a + b, 0);
          for (let t = 1; t <= turns; t++) {
            const i = pickNext(weights.map((weight, k) => ({ weight, pages: pages[k] as number })));
            pages[i] = (pages[i] as number) + 1;
            pages.forEach((p, k) => {
              expect(Math.abs(p - (t * (weights[k] as number)) / total)).toBeLessThan(2);
            });
          }
        },
      ),
    );
  });
});

describe('nextLags', () => {
  it('moves a stream that got less than the mean behind, one that got more ahead, and clears a caught-up one', () => {
    const lags = nextLags([
      { weight: 1, delivered: 100, backlog: true, caughtUp: false, lag: 0 },
      { weight: 1, delivered: 300, backlog: true, caughtUp: false, lag: 0 },
      { weight: 2, delivered: 400, backlog: true, caughtUp: false, lag: 0 },
      { weight: 1, delivered: 5, backlog: false, caughtUp: true, lag: 42 },
      { weight: 1, delivered: 0, backlog: false, caughtUp: false, lag: 7 },
    ]);
    // Normalized service 100, 300, 200: mean 200.
    expect(lags).toEqual([100, -100, 0, 0, 7]);
  });
});

describe('jainIndex', () => {
  it.each([
    [[5, 5, 5, 5], 1],
    [[8, 0, 0, 0], 0.25],
    [[0, 0], 1],
  ])('%j -> %d', (values, expected) => {
    expect(jainIndex(values)).toBeCloseTo(expected, 10);
  });
});
