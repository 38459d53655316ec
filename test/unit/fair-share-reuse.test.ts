/**
 * The scheduler reuses the last waterFill while only floors below the water level moved
 * (src/core/fair-share.ts, sameShares). The claim is exact: whenever sameShares says so, a fresh
 * waterFill returns the very same shares.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fill, type ShareClaim, sameShares, waterFill } from '../../src/core/fair-share.js';

const claimArb = fc.record({
  weight: fc.constantFrom(0.5, 1, 1.5, 2, 3, 4),
  floor: fc.integer({ min: 0, max: 300 }),
  extra: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
});

const claimsArb = fc.array(claimArb, { minLength: 1, maxLength: 24 }).map((cs) =>
  cs.map(
    (c): ShareClaim => ({
      weight: c.weight,
      floor: c.floor,
      cap: c.extra === undefined ? Number.POSITIVE_INFINITY : c.floor + c.extra,
    }),
  ),
);

describe('sameShares', () => {
  it('says "same" only when a fresh waterFill gives exactly the last shares', () => {
    let reused = 0;
    fc.assert(
      fc.property(
        claimsArb,
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 24, maxLength: 24 }),
        (claims, total, raise) => {
          const last = fill(total, claims);
          // Raise some floors towards (and sometimes past) the level's share of the claim.
          const next = claims.map((c, i) => {
            const r = raise[i] as number;
            if (r < 0.3) return c;
            const top = Math.min(c.cap, last.level * c.weight);
            const floor = Math.max(c.floor, Math.floor(c.floor + (top - c.floor) * r));
            return { ...c, floor: Number.isFinite(floor) ? floor : c.floor };
          });
          if (!sameShares(last, total, next)) return;
          reused++;
          expect(waterFill(total, next)).toEqual(last.shares);
        },
      ),
      { numRuns: 3000, seed: 20261201 },
    );
    // The property is not vacuous: most cases were reusable.
    expect(reused).toBeGreaterThan(1000);
  });

  it('says "not the same" when the total, a weight or a cap changed, or a floor passed the level', () => {
    const claims: ShareClaim[] = [
      { weight: 1, floor: 0, cap: Number.POSITIVE_INFINITY },
      { weight: 2, floor: 10, cap: Number.POSITIVE_INFINITY },
    ];
    // Level 30 (found from below, so a floor of 29 is safely under it): shares 30 and 60.
    const last = fill(90, claims);
    expect(last.shares).toEqual([30, 60]);
    expect(sameShares(last, 90, [{ ...claims[0], floor: 29 } as ShareClaim, claims[1] as ShareClaim])).toBe(
      true,
    );
    expect(sameShares(last, 90, [{ ...claims[0], floor: 31 } as ShareClaim, claims[1] as ShareClaim])).toBe(
      false,
    );
    expect(sameShares(last, 91, claims)).toBe(false);
    expect(sameShares(last, 90, [claims[0] as ShareClaim, { ...claims[1], weight: 1 } as ShareClaim])).toBe(
      false,
    );
    expect(sameShares(last, 90, [claims[0] as ShareClaim, { ...claims[1], cap: 60 } as ShareClaim])).toBe(
      false,
    );
    expect(waterFill(90, [{ ...claims[0], floor: 31 } as ShareClaim, claims[1] as ShareClaim])).not.toEqual([
      30, 60,
    ]);
  });
});
