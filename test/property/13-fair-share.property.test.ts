/**
 * Property 13, fair share: over random stream sets, backlogs, weights and budgets, one run shares its
 * post budget max-min fairly by weight (to one page), delivers min(budget, total backlog), and over five
 * runs the weight-normalized cumulative service of competing streams stays within 1.25x, whether the
 * posts budget or the time budget binds. In-process engine, ManualClock, one fake world per query.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waterFill } from '../../src/core/fair-share.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { harness, type MemorySink, recentIds, searchStream, testOptions } from '../support/harness.js';
import type { ManualClock } from '../support/manual-clock.js';
import { QueryRoutedXApi } from '../support/query-routed-x-api.js';
import { runs } from './support.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
/** Recent search's largest page. */
const PAGE = 100;

interface World {
  readonly clock: ManualClock;
  readonly api: QueryRoutedXApi;
  readonly sink: MemorySink;
  readonly deps: ReturnType<typeof harness>['deps'];
  readonly specs: StreamSpec[];
}

/** Streams s0..sN, each with `backlogs[i]` posts of its own and weight `weights[i]`. */
function world(backlogs: readonly number[], weights: readonly number[]): World {
  const h = harness();
  const clock = h.clock;
  const api = new QueryRoutedXApi(clock);
  const specs = backlogs.map((count, i) => {
    // Distinct ids per stream: each world's posts sit in their own millisecond slots.
    const ids = recentIds(START, count, 60_000 + i * 500_000);
    api.world(`q${i}`).publish(ids);
    return searchStream({
      name: `s${i}`,
      source: { kind: 'search', query: `q${i}`, archive: false },
      initial: { kind: 'lookback', ms: 3_600_000 },
      weight: weights[i] ?? 1,
    });
  });
  return { clock, api, sink: h.sink, deps: { ...h.deps, api }, specs };
}

function deliveredBy(sink: MemorySink, names: readonly string[]): number[] {
  return names.map((n) =>
    sink.batches.filter((b) => b.stream === n).reduce((s, b) => s + b.tweets.length, 0),
  );
}

const weight = fc.constantFrom(0.5, 1, 2, 3);

describe('property 13: fair share (engine, ManualClock, one world per query)', () => {
  it('one run: every stream with a backlog gets its weighted fair share (to one page), total = min(budget, backlog)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ backlog: fc.integer({ min: 0, max: 400 }), weight }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 1500 }),
        async (streams, budget) => {
          const w = world(
            streams.map((s) => s.backlog),
            streams.map((s) => s.weight),
          );
          const summary = await runExecution(w.deps, w.specs, testOptions({ maxTweets: budget }));
          const got = deliveredBy(
            w.sink,
            w.specs.map((s) => s.name),
          );
          const backlog = streams.map((s) => s.backlog);
          const total = backlog.reduce((a, b) => a + b, 0);
          expect(summary.tweets_delivered).toBe(Math.min(budget, total));
          expect(got.reduce((a, b) => a + b, 0)).toBe(Math.min(budget, total));
          expect(new Set(w.sink.ids).size).toBe(w.sink.ids.length);
          const ideal = waterFill(
            budget,
            streams.map((s) => ({ weight: s.weight, floor: 0, cap: s.backlog })),
          );
          got.forEach((g, i) => {
            const b = backlog[i] as number;
            expect(g).toBeLessThanOrEqual(b);
            // The bound: the weighted fair share minus one page, unless the stream ran out.
            expect(g).toBeGreaterThanOrEqual(Math.min(b, (ideal[i] as number) - PAGE));
            // What this scheduler does: the water-filling share itself, give or take a rounded post.
            expect(Math.abs(g - (ideal[i] as number))).toBeLessThanOrEqual(1);
          });
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('five runs bound by max_tweets: weight-normalized cumulative shares within 1.25x', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(weight, { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 20, max: 60 }),
        async (weights, perWeight) => {
          const sumW = weights.reduce((a, b) => a + b, 0);
          const budget = Math.ceil(perWeight * sumW);
          const w = world(
            weights.map(() => budget * 6),
            weights,
          );
          for (let r = 0; r < 5; r++) await runExecution(w.deps, w.specs, testOptions({ maxTweets: budget }));
          const normalized = deliveredBy(
            w.sink,
            w.specs.map((s) => s.name),
          ).map((g, i) => g / (weights[i] as number));
          expect(Math.max(...normalized) / Math.min(...normalized)).toBeLessThanOrEqual(1.25);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it('five runs bound by the time budget: pages by weight, every stream served every run, within 1.25x', {
    timeout: 180_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(1, 2, 3), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 4, max: 6 }),
        async (weights, roundsPerRun) => {
          const sumW = weights.reduce((a, b) => a + b, 0);
          const requests = roundsPerRun * sumW;
          // Enough for five runs of about `roundsPerRun * weight` pages each (two pages of slack a run).
          const w = world(
            weights.map((x) => (5 * (roundsPerRun * x + 2) + 2) * PAGE),
            weights,
          );
          const before = w.specs.map(() => 0);
          for (let r = 0; r < 5; r++) {
            // Every request waits the 1 s minimum interval: the budget holds about `requests` of them.
            const summary = await runExecution(
              w.deps,
              w.specs,
              testOptions({
                maxTweets: 1_000_000,
                minIntervalMs: 1_000,
                timeBudgetMs: requests * 1_000,
                finalCommitReserveMs: 0,
              }),
            );
            w.clock.advance(60_000);
            const now = deliveredBy(
              w.sink,
              w.specs.map((s) => s.name),
            );
            now.forEach((g, i) => {
              expect(g - (before[i] as number)).toBeGreaterThanOrEqual(PAGE); // at least one page per run
              before[i] = g;
            });
            expect(summary.streams.every((s) => s.outcome === 'deadline')).toBe(true);
          }
          const normalized = before.map((g, i) => g / (weights[i] as number));
          expect(Math.max(...normalized) / Math.min(...normalized)).toBeLessThanOrEqual(1.25);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});
