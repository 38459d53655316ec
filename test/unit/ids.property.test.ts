import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds, isValidId, maxId, minId } from '../../src/core/ids.js';

const MAX = (1n << 63n) - 1n;
const id = fc.bigInt({ min: 1n, max: MAX }).map((n) => n.toString());

describe('ids (property)', () => {
  it('compareIds agrees with BigInt comparison', () => {
    fc.assert(
      fc.property(id, id, (a, b) => {
        const expected = BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
        expect(compareIds(a, b)).toBe(expected);
        expect(maxId(a, b)).toBe(BigInt(a) >= BigInt(b) ? a : b);
        expect(minId(a, b)).toBe(BigInt(a) <= BigInt(b) ? a : b);
      }),
      { numRuns: 500 },
    );
  });

  it('sorting ids of different lengths with compareIds is numeric, unlike string order', () => {
    fc.assert(
      fc.property(fc.array(id, { minLength: 1, maxLength: 50 }), (ids) => {
        const sorted = [...ids].sort(compareIds);
        for (let i = 1; i < sorted.length; i++)
          expect(BigInt(sorted[i - 1]!) <= BigInt(sorted[i]!)).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(['9', '10'].sort()).toEqual(['10', '9']);
    expect(['9', '10'].sort(compareIds)).toEqual(['9', '10']);
  });

  it('keeps precision above 2^53 where Number would not', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n << 53n, max: MAX - 1n }), (n) => {
        const a = n.toString();
        const b = (n + 1n).toString();
        expect(compareIds(a, b)).toBe(-1);
        expect(isValidId(a)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
