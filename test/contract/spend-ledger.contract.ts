/** The SpendLedger contract: every adapter (memory, SQLite, DynamoDB) must pass the same specs. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpendLedger } from '../../src/core/ports/spend-ledger.js';
import { READ_IDS_KEPT } from '../../src/core/spend.js';

export interface LedgerFixture {
  readonly ledger: SpendLedger;
  /** A second handle on the same storage (another process's view), when the backend has one. */
  readonly other?: SpendLedger;
  cleanup(): Promise<void>;
}

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

export function describeSpendLedgerContract(name: string, open: () => Promise<LedgerFixture>): void {
  describe(`SpendLedger contract: ${name}`, () => {
    let f: LedgerFixture;
    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => f.cleanup());

    it('bills every new id of a page and adds it to the day and month totals', async () => {
      const result = await f.ledger.recordRead('a', ids(100, 20), '2026-12-01');
      expect(result).toEqual({ billed: 20, dayPosts: 20, monthPosts: 20 });
      expect(await f.ledger.totals('2026-12-01')).toEqual({ dayPosts: 20, monthPosts: 20 });
    });

    it('does not bill an id the stream already read the same UTC day', async () => {
      await f.ledger.recordRead('a', ids(100, 20), '2026-12-01');
      const again = await f.ledger.recordRead('a', ids(110, 20), '2026-12-01');
      expect(again).toEqual({ billed: 10, dayPosts: 30, monthPosts: 30 });
    });

    it('bills a re-read again on the next UTC day, and keeps days and months apart', async () => {
      await f.ledger.recordRead('a', ids(100, 20), '2026-12-01');
      const next = await f.ledger.recordRead('a', ids(100, 20), '2026-12-02');
      expect(next).toEqual({ billed: 20, dayPosts: 20, monthPosts: 40 });
      const nextMonth = await f.ledger.recordRead('a', ids(100, 5), '2027-01-01');
      expect(nextMonth).toEqual({ billed: 5, dayPosts: 5, monthPosts: 5 });
      expect(await f.ledger.totals('2026-12-01')).toEqual({ dayPosts: 20, monthPosts: 40 });
    });

    it('sums every stream into the day and lists them per stream', async () => {
      await f.ledger.recordRead('b', ids(100, 7), '2026-12-01');
      await f.ledger.recordRead('a', ids(100, 3), '2026-12-01');
      expect(await f.ledger.totals('2026-12-01')).toEqual({ dayPosts: 10, monthPosts: 10 });
      expect(await f.ledger.streamsOnDay('2026-12-01')).toEqual([
        { stream: 'a', posts: 3 },
        { stream: 'b', posts: 7 },
      ]);
      expect(await f.ledger.streamsOnDay('2026-12-02')).toEqual([]);
    });

    it(`forgets the oldest reads past ${READ_IDS_KEPT} ids (a re-read of them is billed: overstated, never understated)`, async () => {
      await f.ledger.recordRead('a', ids(1, READ_IDS_KEPT + 50), '2026-12-01');
      const again = await f.ledger.recordRead('a', ids(1, 100), '2026-12-01');
      expect(again.billed).toBe(50);
    });

    it('keeps the credits flag until it is cleared, for every handle on the store', async () => {
      expect(await f.ledger.creditsDepletedAt()).toBeNull();
      await f.ledger.setCreditsDepleted('2026-12-01T10:00:00.000Z');
      const view = f.other ?? f.ledger;
      expect(await view.creditsDepletedAt()).toBe('2026-12-01T10:00:00.000Z');
      await view.setCreditsDepleted(null);
      expect(await f.ledger.creditsDepletedAt()).toBeNull();
    });

    it("sees a stream's reads written through another handle (a lease handed over to another process)", async () => {
      const view = f.other ?? f.ledger;
      await f.ledger.recordRead('a', ids(1, 10), '2026-12-01');
      expect((await view.recordRead('a', ids(5, 10), '2026-12-01')).billed).toBe(4);
      expect((await f.ledger.recordRead('a', ids(12, 8), '2026-12-01')).billed).toBe(5);
    });

    it('shares the totals with another handle on the same store', async () => {
      await f.ledger.recordRead('a', ids(100, 4), '2026-12-01');
      const view = f.other ?? f.ledger;
      const result = await view.recordRead('b', ids(200, 6), '2026-12-01');
      expect(result).toEqual({ billed: 6, dayPosts: 10, monthPosts: 10 });
    });
  });
}
