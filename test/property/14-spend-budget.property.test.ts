/**
 * Property 14, spend budgets (issue 12): for random daily and monthly budgets, prices, stream sets
 * and run sequences (with overlap re-reads the same day and runs after midnight), the posts the
 * emulator bills (it applies X's same-UTC-day rule on its own) never cost more than the budget plus
 * one page, and the poller's own ledger never understates them. Real engine, emulator over loopback.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { MemorySpendLedger } from '../../src/adapters/stores/memory-spend-ledger.js';
import { runExecution } from '../../src/core/run.js';
import { postsForUsd, utcDay } from '../../src/core/spend.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  archiveStream,
  CollectingSink,
  engineDeps,
  fastOptions,
  NOW,
  QUERIES,
  runs,
  startTestEmulator,
} from './support.js';

/** search/all's largest page: the most one request can bill. */
const PAGE = 500;
const DAY_MS = 86_400_000;

const plan = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  price: fc.constantFrom(0.001, 0.002, 0.005, 0.01),
  dayCents: fc.integer({ min: 0, max: 300 }),
  monthCents: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  queries: fc.uniqueArray(fc.constantFrom(...QUERIES), { minLength: 1, maxLength: 4 }),
  overlapSeconds: fc.constantFrom(0, 0, 3600, 30 * 86_400),
  // Streams with a request in flight at once: each request is sized against what the others reserved.
  concurrency: fc.integer({ min: 1, max: 3 }),
  days: fc.array(
    fc.record({ runs: fc.integer({ min: 1, max: 3 }), publish: fc.integer({ min: 0, max: 60 }) }),
    { minLength: 1, maxLength: 3 },
  ),
});

describe('property 14: spend stays within the budget plus one page', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 1500 });
  });
  afterAll(() => emu.close());

  it('billed posts x price <= budget + one page, per day and per month; the ledger never understates', async () => {
    let stopped = 0;
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        cases++;
        let budgetStopped = false;
        emu.reset({ seed: p.seed });
        emu.setClock(NOW);
        const clock = new ManualClock(NOW);
        const store = new MemoryCheckpointStore();
        const ledger = new MemorySpendLedger();
        const streams = p.queries.map((q, i) => ({
          ...archiveStream(q, `s${i}`),
          overlapSeconds: p.overlapSeconds,
        }));
        const spend = {
          pricePerPostUsd: p.price,
          maxSpendUsdPerDay: p.dayCents / 100,
          ...(p.monthCents === undefined ? {} : { maxSpendUsdPerMonth: p.monthCents / 100 }),
        };
        const dayBudget = postsForUsd(spend.maxSpendUsdPerDay, p.price);
        const monthBudget =
          spend.maxSpendUsdPerMonth === undefined
            ? Infinity
            : postsForUsd(spend.maxSpendUsdPerMonth, p.price);
        let monthBilled = 0;
        for (const [d, day] of p.days.entries()) {
          if (d > 0) {
            clock.advance(DAY_MS);
            emu.advanceClock(DAY_MS);
          }
          const from = emu.requestLog().length;
          emu.publish({ count: day.publish });
          for (let r = 0; r < day.runs; r++) {
            const deps = { ...engineDeps(emu, store, new CollectingSink(), { clock }), spendLedger: ledger };
            const summary = await runExecution(
              deps,
              streams,
              fastOptions({
                spend,
                maxTweets: 100_000,
                concurrency: p.concurrency,
                correlationId: `r${d}-${r}`,
              }),
            );
            budgetStopped ||= summary.streams.some((s) => s.outcome === 'spend_exhausted');
          }
          const billed = emu
            .requestLog()
            .slice(from)
            .reduce((n, e) => n + (e.billed ?? 0), 0);
          monthBilled += billed;
          // The budget, with the poller's posts and the emulator's (independent) same-day rule.
          expect(billed).toBeLessThanOrEqual(dayBudget + PAGE);
          expect(monthBilled).toBeLessThanOrEqual(monthBudget + PAGE);
          const recorded = (await ledger.totals(utcDay(clock.now()))).dayPosts;
          expect(recorded).toBeGreaterThanOrEqual(billed);
          expect(recorded).toBeLessThanOrEqual(dayBudget);
        }
        if (budgetStopped) stopped++;
      }),
      {
        numRuns: runs(40),
        // Found in CI (2026-12-02): a page read ahead and dropped when the stream's share shrank was
        // billed by the API and never recorded (fixed in sweep.ts, dropPrefetched).
        examples: [
          [
            {
              seed: 143618,
              price: 0.005,
              dayCents: 100,
              monthCents: undefined,
              queries: ['-is:retweet the', 'the', 'coffee OR music', 'lang:es OR lang:fr'],
              overlapSeconds: 0,
              concurrency: 2,
              days: [
                { runs: 1, publish: 0 },
                { runs: 1, publish: 0 },
                { runs: 1, publish: 0 },
              ],
            },
          ],
        ],
      },
    );
    console.info(`[property 14] ${stopped} of ${cases} cases stopped on a spend budget`);
    expect(stopped).toBeGreaterThan(0); // the budgets were binding, not only generous
  });
});
