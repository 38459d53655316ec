/**
 * Property 1, rate-limit compliance, end to end: the real engine (runExecution, RateLimiter, retry,
 * HttpXApi) against a loopback server answering with any sequence of rate-limit headers and 429s.
 * Request instants are read from the shared ManualClock as the server receives them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { timeMsToId } from '../../src/core/ids.js';
import { runExecution } from '../../src/core/run.js';
import { ManualClock } from '../support/manual-clock.js';
import { pageBody, type ScriptedServer, startScriptedServer } from './scripted-server.js';
import { CollectingSink, engineDeps, fastOptions, NOW, runs } from './support.js';

interface Step {
  readonly status: 200 | 429 | 503;
  readonly limit: number;
  readonly remaining: number;
  readonly resetAheadSec: number;
}

const step: fc.Arbitrary<Step> = fc
  .record({
    status: fc.constantFrom<200 | 429 | 503>(200, 200, 200, 200, 429, 503),
    limit: fc.integer({ min: 1, max: 60 }),
    used: fc.double({ min: 0, max: 1, noNaN: true }),
    resetAheadSec: fc.integer({ min: 0, max: 900 }),
  })
  .map(({ status, limit, used, resetAheadSec }) => ({
    status,
    limit,
    remaining: Math.min(limit, Math.max(0, Math.round(limit * (1 - used)))),
    resetAheadSec,
  }));

const PAGES = 5;
const PER_PAGE = 3;
const BASE = BigInt(timeMsToId(NOW - 3_600_000));
const pageIds = (k: number) =>
  Array.from({ length: PER_PAGE }, (_, i) => (BASE + BigInt((PAGES - k) * 100 - i)).toString());

describe('property 1: rate-limit compliance (engine over loopback)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  it('never requests inside an exhausted window, keeps the minimum interval, paces from 80 %', async () => {
    let multi = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 0, max: 5_000 }),
        async (script, minIntervalMs) => {
          const clock = new ManualClock(NOW);
          const seen: { at: number; step: Step | undefined; resetMs: number }[] = [];
          server.requests.length = 0;
          server.handler = (url, index) => {
            const now = clock.now();
            const s = script[index];
            const resetSec = Math.floor(now / 1000) + (s?.resetAheadSec ?? 900);
            seen.push({ at: now, step: s, resetMs: resetSec * 1000 });
            const headers = {
              date: new Date(now).toUTCString(),
              'x-rate-limit-limit': String(s?.limit ?? 10_000),
              'x-rate-limit-remaining': String(s?.remaining ?? 9_999),
              'x-rate-limit-reset': String(resetSec),
            };
            if (s?.status === 429) {
              return {
                status: 429,
                headers,
                body: '{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}',
              };
            }
            if (s?.status === 503)
              return {
                status: 503,
                headers,
                body: '{"title":"Service Unavailable","type":"about:blank","status":503}',
              };
            const k = Number((url.searchParams.get('next_token') ?? 'p0').slice(1));
            return {
              status: 200,
              headers,
              body: pageBody(pageIds(k), k + 1 < PAGES ? `p${k + 1}` : undefined),
            };
          };
          const sink = new CollectingSink();
          const deps = engineDeps({ url: server.url } as never, new MemoryCheckpointStore(), sink, { clock });
          await runExecution(
            deps,
            [
              {
                name: 'rl',
                source: { kind: 'search', query: 'x', archive: false },
                tweetFields: [],
                userFields: [],
                expansions: [],
                initial: { kind: 'since_id', id: timeMsToId(NOW - 86_400_000) },
                overlapSeconds: 0,
              },
            ],
            fastOptions({
              minIntervalMs,
              timeBudgetMs: 30 * 86_400_000,
              retry: { baseDelayMs: 10, maxDelayMs: 1_000, maxAttempts: 8 },
            }),
          );
          if (seen.length > 1) multi++;
          for (let i = 0; i + 1 < seen.length; i++) {
            const a = seen[i]!;
            const b = seen[i + 1]!;
            const s = a.step ?? { status: 200, limit: 10_000, remaining: 9_999 };
            expect(b.at - a.at).toBeGreaterThanOrEqual(minIntervalMs);
            const windowOpen = a.resetMs > a.at;
            if (windowOpen && (s.remaining === 0 || s.status === 429)) {
              // Exhausted window (or a 429): nothing before the announced reset.
              expect(b.at).toBeGreaterThanOrEqual(a.resetMs);
            }
            if (
              windowOpen &&
              s.remaining > 0 &&
              s.status !== 429 &&
              (s.limit - s.remaining) / s.limit >= 0.8
            ) {
              // Past 80 %: the remaining calls are spread evenly until the reset.
              expect(b.at - a.at).toBeGreaterThanOrEqual((a.resetMs - b.at) / s.remaining - 1);
            }
          }
        },
      ),
      { numRuns: runs(150) },
    );
    expect(multi).toBeGreaterThan(50);
  });
});
