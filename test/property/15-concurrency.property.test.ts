/**
 * Property 15, concurrency (`poll --concurrency N`): with N > 1 streams holding a turn at once, and the
 * API answers and sink writes completing in an order fast-check chooses, one run still shares its post
 * budget max-min fairly (to a rounded post), never delivers more than max_tweets, never has two requests
 * in flight for one stream, never has more than N requests in flight at all, and keeps the one
 * limiter's minimum interval between any two requests. In-process engine, ManualClock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waterFill } from '../../src/core/fair-share.js';
import type { Clock } from '../../src/core/ports/clock.js';
import type { Batch, Sink } from '../../src/core/ports/sink.js';
import type { ApiRequest, ApiResponse, XApi } from '../../src/core/ports/x-api.js';
import { RateLimiter } from '../../src/core/rate-limiter.js';
import { runExecution } from '../../src/core/run.js';
import { harness, type MemorySink, recentIds, searchStream, testOptions } from '../support/harness.js';
import { QueryRoutedXApi } from '../support/query-routed-x-api.js';
import { runs } from './support.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Answers requests when the fast-check scheduler says so, and records what was in flight. */
class ScheduledXApi implements XApi {
  readonly inFlight = new Map<string, number>();
  maxPerStream = 0;
  maxTotal = 0;
  /** Clock time of every request, in the order they were sent. */
  readonly sentAt: number[] = [];
  #total = 0;

  constructor(
    private readonly inner: QueryRoutedXApi,
    private readonly s: fc.Scheduler,
    private readonly now: () => number,
  ) {}

  async get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const query = request.params.query ?? '';
    const mine = (this.inFlight.get(query) ?? 0) + 1;
    this.inFlight.set(query, mine);
    this.#total++;
    this.maxPerStream = Math.max(this.maxPerStream, mine);
    this.maxTotal = Math.max(this.maxTotal, this.#total);
    this.sentAt.push(this.now());
    try {
      return await this.s.schedule(this.inner.get<T>(request, signal), `get ${query}`);
    } finally {
      this.inFlight.set(query, (this.inFlight.get(query) ?? 1) - 1);
      this.#total--;
    }
  }
}

/** The run's one limiter, recording when it let each request go. */
class RecordingLimiter extends RateLimiter {
  readonly sentAt: number[] = [];
  constructor(private readonly clock: Clock) {
    super({ clock, minIntervalMs: 1_000, pacingThreshold: 0.8 });
  }
  override async beforeRequest(...args: Parameters<RateLimiter['beforeRequest']>): Promise<void> {
    await super.beforeRequest(...args);
    this.sentAt.push(this.clock.now());
  }
}

/** Acknowledges writes when the fast-check scheduler says so. */
class ScheduledSink implements Sink {
  constructor(
    private readonly inner: MemorySink,
    private readonly s: fc.Scheduler,
  ) {}
  write(batch: Batch): Promise<void> {
    return this.s.schedule(this.inner.write(batch), `write ${batch.stream}`);
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function world(backlogs: readonly number[], weights: readonly number[], s: fc.Scheduler) {
  const h = harness();
  const routed = new QueryRoutedXApi(h.clock);
  const published: string[] = [];
  const specs = backlogs.map((count, i) => {
    const ids = recentIds(START, count, 60_000 + i * 500_000);
    published.push(...ids);
    routed.world(`q${i}`).publish(ids);
    return searchStream({
      name: `s${i}`,
      source: { kind: 'search', query: `q${i}`, archive: false },
      initial: { kind: 'lookback', ms: 3_600_000 },
      weight: weights[i] ?? 1,
    });
  });
  const api = new ScheduledXApi(routed, s, () => h.clock.now());
  const deps = { ...h.deps, api, sink: new ScheduledSink(h.sink, s) };
  return { h, api, deps, specs, published };
}

function deliveredBy(sink: MemorySink, names: readonly string[]): number[] {
  return names.map((n) =>
    sink.batches.filter((b) => b.stream === n).reduce((sum, b) => sum + b.tweets.length, 0),
  );
}

describe('property 15: concurrency N > 1 (engine, ManualClock, answers in any order)', () => {
  it('shares stay max-min fair, the total never passes max_tweets, one request per stream and at most N in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(
          fc.record({ backlog: fc.integer({ min: 0, max: 350 }), weight: fc.constantFrom(0.5, 1, 2, 3) }),
          { minLength: 2, maxLength: 7 },
        ),
        fc.integer({ min: 1, max: 1200 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 10, max: 100 }),
        async (s, streams, budget, concurrency, batchSize) => {
          // Prepare
          const w = world(
            streams.map((x) => x.backlog),
            streams.map((x) => x.weight),
            s,
          );
          // Act
          const summary = await s.waitFor(
            runExecution(w.deps, w.specs, testOptions({ maxTweets: budget, concurrency, batchSize })),
          );
          // Assess
          const backlog = streams.map((x) => x.backlog);
          const total = backlog.reduce((a, b) => a + b, 0);
          const got = deliveredBy(
            w.h.sink,
            w.specs.map((x) => x.name),
          );
          expect(summary.tweets_delivered).toBe(Math.min(budget, total));
          expect(got.reduce((a, b) => a + b, 0)).toBe(Math.min(budget, total));
          expect(new Set(w.h.sink.ids).size).toBe(w.h.sink.ids.length);
          const ideal = waterFill(
            budget,
            streams.map((x) => ({ weight: x.weight, floor: 0, cap: x.backlog })),
          );
          got.forEach((g, i) => {
            expect(g).toBeLessThanOrEqual(backlog[i] as number);
            expect(Math.abs(g - (ideal[i] as number))).toBeLessThanOrEqual(1);
          });
          expect(w.api.maxPerStream).toBe(1);
          expect(w.api.maxTotal).toBeLessThanOrEqual(concurrency);
          expect(
            summary.streams.every((x) => x.outcome === 'caught_up' || x.outcome === 'budget_exhausted'),
          ).toBe(true);
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('the one limiter keeps its minimum interval between any two requests, and the deadline or an abort ends every stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.integer({ min: 150, max: 600 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 3, max: 12 }),
        fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
        async (s, backlogs, concurrency, seconds, abortAfterWrites) => {
          // Prepare: every request waits the 1 s minimum interval; the time budget holds a few of them.
          const w = world(
            backlogs,
            backlogs.map(() => 1),
            s,
          );
          const limiter = new RecordingLimiter(w.h.clock);
          const controller = new AbortController();
          let writes = 0;
          w.h.sink.afterWrite = () => {
            if (++writes === abortAfterWrites) controller.abort(new Error('received SIGTERM'));
          };
          // Act
          const summary = await s.waitFor(
            runExecution(
              { ...w.deps, rateLimiter: limiter },
              w.specs,
              testOptions({
                maxTweets: 1_000_000,
                concurrency,
                batchSize: 50,
                minIntervalMs: 1_000,
                timeBudgetMs: seconds * 1_000,
                finalCommitReserveMs: 0,
              }),
              controller.signal,
            ),
          );
          // Assess
          const gaps = limiter.sentAt.slice(1).map((t, i) => t - (limiter.sentAt[i] as number));
          expect(gaps.every((g) => g >= 1_000)).toBe(true);
          expect(w.api.maxPerStream).toBeLessThanOrEqual(1);
          expect(summary.streams.every((x) => x.outcome === 'deadline' || x.outcome === 'caught_up')).toBe(
            true,
          );
          expect(new Set(w.h.sink.ids).size).toBe(w.h.sink.ids.length);
          // Nothing lost, nothing twice: a second run, unhurried, delivers exactly the rest.
          w.h.clock.advance(60_000);
          await s.waitFor(runExecution(w.deps, w.specs, testOptions({ maxTweets: 1_000_000, concurrency })));
          expect(new Set(w.h.sink.ids).size).toBe(w.h.sink.ids.length);
          expect([...w.h.sink.ids].sort()).toEqual([...w.published].sort());
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
