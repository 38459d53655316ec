/**
 * Property 2, pagination completeness: for any corpus (seed, size), query, page size (driven by the
 * per-run budget), batch size and short/empty pages, the real engine over loopback to the emulator,
 * with a real SQLite store, delivers exactly the emulator's ground truth, with no id twice.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import type { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import {
  archiveStream,
  CollectingSink,
  compareDelivery,
  emptyFigures,
  engineDeps,
  fastOptions,
  QUERIES,
  reportScenario,
  runs,
  sqliteStore,
  startTestEmulator,
  strictlyDescending,
  tempDir,
} from './support.js';

describe('property 2: pagination completeness (engine + emulator + SQLite)', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteCheckpointStore;
  let n = 0;
  beforeAll(async () => {
    emu = await startTestEmulator();
    dir = tempDir('tp-prop02-');
    store = sqliteStore(dir.dir);
  });
  const figures = emptyFigures();
  afterAll(async () => {
    reportScenario('property-02 pagination completeness (emulator, SQLite)', figures);
    await store.close();
    await emu.close();
    dir.remove();
  });

  it('delivers the ground truth exactly once, whatever the pages look like', async () => {
    const coverage = { multiRun: 0, shortPages: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          posts: fc.integer({ min: 20, max: 300 }),
          endpoint: fc.constantFrom('search_all', 'user_tweets', 'search_all'),
          query: fc.constantFrom(...QUERIES),
          maxTweets: fc.integer({ min: 2, max: 80 }),
          batchSize: fc.integer({ min: 1, max: 30 }),
          faultRate: fc.constantFrom(0, 0.1, 0.3, 0.6),
          faultSeed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        async (c) => {
          emu.reset({ seed: c.seed, posts: c.posts });
          emu.setFaults({ rate: c.faultRate, kinds: ['short-page', 'empty-page'], seed: c.faultSeed });
          const name = `s${++n}`;
          let spec: StreamSpec = archiveStream(c.query, name);
          let truth: string[];
          if (c.endpoint === 'user_tweets') {
            const user = emu.users().sort((a, b) => b.posts - a.posts)[0]!;
            spec = { ...spec, source: { kind: 'timeline', user: user.id, exclude: [] } };
            truth = emu.groundTruth({ endpoint: 'user_tweets', user_id: user.id });
          } else {
            truth = emu.groundTruth({ endpoint: 'search_all', query: c.query });
          }
          const sink = new CollectingSink();
          const maxRuns = Math.ceil(truth.length / c.maxTweets) * 2 + 10;
          let runsDone = 0;
          for (; runsDone < maxRuns; runsDone++) {
            const before = sink.ids.length;
            const summary = await runExecution(
              engineDeps(emu, store, sink),
              [spec],
              fastOptions({
                maxTweets: c.maxTweets,
                batchSize: c.batchSize,
                correlationId: `${name}-${runsDone}`,
              }),
            );
            const thisRun = sink.ids.slice(before);
            // Within a run: no id twice, newest first (one sweep at a time, pages chained downwards).
            expect(new Set(thisRun).size).toBe(thisRun.length);
            // The emulator's random empty pages hand back the token they were asked with; more than a few
            // in a row count as a broken cursor and fail the run (state kept): the next run continues.
            const stream = summary.streams[0]!;
            if (stream.outcome === 'failed') expect(stream.error).toMatch(/next_token repeated/);
            if (summary.caught_up) break;
          }
          if (runsDone > 0) coverage.multiRun++;
          if (c.faultRate > 0) {
            coverage.shortPages++;
            figures.faults++;
          }
          const d = compareDelivery(truth, sink.ids);
          figures.runs++;
          figures.published += truth.length;
          figures.lost += d.lost;
          figures.unexpected += d.unexpected;
          figures.duplicates += d.duplicates;
          expect(d.lostIds).toEqual([]);
          expect(d.unexpected).toBe(0);
          expect(d.duplicates).toBe(0);
          expect(strictlyDescending(truth)).toBe(true);
        },
      ),
      { numRuns: runs(100) },
    );
    // Coverage guards: they only prove the interesting cases are drawn. Multi-run cases come out at
    // about 20-35 per 100 draws (20 was seen once on a clean clone), so the bound sits well below that.
    expect(coverage.multiRun).toBeGreaterThanOrEqual(10);
    expect(coverage.shortPages).toBeGreaterThan(20);
  });
});
