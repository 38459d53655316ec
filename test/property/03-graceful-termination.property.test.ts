/**
 * Property 3, graceful termination: for any time budget (and any abort instant), the real engine stops
 * before the deadline with its state saved in SQLite, and the next run continues from there.
 * Time is a ManualClock that every request and every sink write advances.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import type { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import type { ApiRequest, ApiResponse, XApi } from '../../src/core/ports/x-api.js';
import { runExecution } from '../../src/core/run.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  archiveStream,
  CollectingSink,
  compareDelivery,
  engineDeps,
  fastOptions,
  NOW,
  QUERIES,
  runs,
  sqliteStore,
  startTestEmulator,
  tempDir,
} from './support.js';

describe('property 3: graceful termination (engine + emulator + SQLite)', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteCheckpointStore;
  let n = 0;
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 300 });
    dir = tempDir('tp-prop03-');
    store = sqliteStore(dir.dir);
  });
  afterAll(async () => {
    await store.close();
    await emu.close();
    dir.remove();
  });

  it('stops before the deadline with state saved; the next run continues from it', async () => {
    let stoppedEarly = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          query: fc.constantFrom(...QUERIES),
          budgetMs: fc.integer({ min: 200, max: 20_000 }),
          marginMs: fc.integer({ min: 0, max: 2_000 }),
          latencyMs: fc.integer({ min: 1, max: 800 }),
          writeMs: fc.integer({ min: 0, max: 500 }),
          abortAfterRequests: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
          maxTweets: fc.integer({ min: 5, max: 100 }),
          batchSize: fc.integer({ min: 1, max: 10 }),
        }),
        async (c) => {
          fc.pre(c.marginMs < c.budgetMs);
          const name = `t${++n}`;
          const spec = archiveStream(c.query, name);
          const truth = emu.groundTruth({ endpoint: 'search_all', query: c.query });
          const clock = new ManualClock(NOW);
          const sink = new CollectingSink();
          const controller = new AbortController();
          const base = engineDeps(emu, store, sink, { clock });
          const requestStarts: number[] = [];
          const writeStarts: number[] = [];
          const api: XApi = {
            get: async <T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> => {
              requestStarts.push(clock.now());
              if (c.abortAfterRequests !== undefined && requestStarts.length >= c.abortAfterRequests)
                controller.abort(new Error('SIGTERM'));
              const response = await base.api.get<T>(request, signal);
              clock.advance(c.latencyMs);
              return response;
            },
          };
          sink.afterWrite = () => {
            writeStarts.push(clock.now());
            clock.advance(c.writeMs);
          };
          const options = fastOptions({
            maxTweets: c.maxTweets,
            batchSize: c.batchSize,
            timeBudgetMs: c.budgetMs,
            finalCommitReserveMs: c.marginMs,
            correlationId: `${name}-a`,
          });
          const first = await runExecution({ ...base, api }, [spec], options, controller.signal);
          const deadline = NOW + c.budgetMs - c.marginMs;
          // Nothing starts at or after the deadline.
          for (const t of [...requestStarts, ...writeStarts]) expect(t).toBeLessThan(deadline);
          const s = first.streams[0]!;
          expect(['caught_up', 'deadline', 'budget_exhausted']).toContain(s.outcome);
          if (s.outcome !== 'caught_up') stoppedEarly++;
          // State saved: what the summary reports is what the store holds.
          const saved = await store.load(name);
          if (saved !== null) {
            expect(saved.sinceId).toBe(s.since_id);
            // (A sweep started in memory but not yet saved by a first batch shows in the summary only.)
            if (saved.sweep !== null)
              expect(saved.sweep.untilId ?? saved.sweep.newestId).toBe(s.pending_until_id);
          }
          // The next runs continue from there: together everything, nothing twice.
          for (let i = 0; i < 30; i++) {
            const next = await runExecution(
              engineDeps(emu, store, sink, { clock: new ManualClock(NOW + 3_600_000 * (i + 1)) }),
              [spec],
              fastOptions({ batchSize: c.batchSize, correlationId: `${name}-b${i}` }),
            );
            if (next.caught_up) break;
          }
          const d = compareDelivery(truth, sink.ids);
          expect(d.lostIds).toEqual([]);
          expect(d.unexpected).toBe(0);
          expect(d.duplicates).toBe(0);
        },
      ),
      { numRuns: runs(100) },
    );
    expect(stoppedEarly).toBeGreaterThan(20);
  });
});
