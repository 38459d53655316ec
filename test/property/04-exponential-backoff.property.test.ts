/**
 * Property 4, exponential backoff, end to end: the real engine and HttpXApi against a loopback server
 * failing with any sequence of 503s (with and without Retry-After) and 429s (with a reset). Every
 * retry's delay (the `retry` log events) is checked against the failure that caused it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { timeMsToId } from '../../src/core/ids.js';
import { backoffDelay } from '../../src/core/retry.js';
import { runExecution } from '../../src/core/run.js';
import { ManualClock } from '../support/manual-clock.js';
import { pageBody, type ScriptedServer, startScriptedServer } from './scripted-server.js';
import { CollectingSink, engineDeps, fastOptions, NOW, runs } from './support.js';

type Failure =
  | { readonly kind: 'ok' }
  | { readonly kind: '503' }
  | { readonly kind: '503-retry-after'; readonly seconds: number }
  | { readonly kind: '429'; readonly resetAheadSec: number };

const failure: fc.Arbitrary<Failure> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'ok' } as const), weight: 3 },
  { arbitrary: fc.constant({ kind: '503' } as const), weight: 4 },
  {
    arbitrary: fc
      .integer({ min: 0, max: 120 })
      .map((seconds) => ({ kind: '503-retry-after', seconds }) as const),
    weight: 2,
  },
  {
    arbitrary: fc
      .integer({ min: 0, max: 900 })
      .map((resetAheadSec) => ({ kind: '429', resetAheadSec }) as const),
    weight: 2,
  },
);

const BASE = BigInt(timeMsToId(NOW - 3_600_000));

describe('property 4: exponential backoff (engine over loopback)', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  it('delays stay within full-jitter bounds, honour server timing, stop at the attempt limit and the deadline', async () => {
    const seen = { retries: 0, exhausted: 0, deadline: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(failure, { minLength: 1, maxLength: 30 }),
        fc.record({
          baseDelayMs: fc.integer({ min: 1, max: 5_000 }),
          maxDelayMs: fc.integer({ min: 1, max: 60_000 }),
          maxAttempts: fc.integer({ min: 1, max: 6 }),
          budgetMs: fc.integer({ min: 1_000, max: 3_600_000 }),
        }),
        async (script, r) => {
          const clock = new ManualClock(NOW);
          const answers: { failure: Failure; at: number }[] = [];
          server.requests.length = 0;
          server.handler = (url, index) => {
            const f = script[index] ?? { kind: 'ok' };
            const now = clock.now();
            answers.push({ failure: f, at: now });
            const headers: Record<string, string> = { date: new Date(now).toUTCString() };
            if (f.kind === '503')
              return {
                status: 503,
                headers,
                body: '{"title":"Service Unavailable","type":"about:blank","status":503}',
              };
            if (f.kind === '503-retry-after')
              return {
                status: 503,
                headers: { ...headers, 'retry-after': String(f.seconds) },
                body: '{"title":"Service Unavailable"}',
              };
            if (f.kind === '429') {
              const reset = Math.floor(now / 1000) + f.resetAheadSec;
              return {
                status: 429,
                headers: {
                  ...headers,
                  'x-rate-limit-limit': '450',
                  'x-rate-limit-remaining': '0',
                  'x-rate-limit-reset': String(reset),
                },
                body: '{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}',
              };
            }
            const k = Number((url.searchParams.get('next_token') ?? 'p0').slice(1));
            const ids = [0, 1].map((i) => (BASE + BigInt((4 - k) * 10 - i)).toString());
            return { status: 200, headers, body: pageBody(ids, k < 3 ? `p${k + 1}` : undefined) };
          };
          const deps = engineDeps(
            { url: server.url } as never,
            new MemoryCheckpointStore(),
            new CollectingSink(),
            { clock },
          );
          const summary = await runExecution(
            deps,
            [
              {
                name: 'bo',
                source: { kind: 'search', query: 'x', archive: false },
                tweetFields: [],
                userFields: [],
                expansions: [],
                initial: { kind: 'since_id', id: timeMsToId(NOW - 86_400_000) },
                overlapSeconds: 0,
              },
            ],
            fastOptions({
              timeBudgetMs: r.budgetMs,
              finalCommitReserveMs: 0,
              retry: { baseDelayMs: r.baseDelayMs, maxDelayMs: r.maxDelayMs, maxAttempts: r.maxAttempts },
            }),
          );
          const retries = deps.logger.events('retry');
          const failures = answers.filter((a) => a.failure.kind !== 'ok');
          expect(retries.length).toBeLessThanOrEqual(failures.length);
          let consecutive = 0;
          let retryIndex = 0;
          for (const a of answers) {
            if (a.failure.kind === 'ok') {
              consecutive = 0;
              continue;
            }
            consecutive++;
            // Never more attempts for one call than the limit.
            expect(consecutive).toBeLessThanOrEqual(r.maxAttempts);
            const event = retries[retryIndex];
            if (event === undefined) break; // this failure ended the call (limit or deadline)
            retryIndex++;
            expect(event.attempt).toBe(consecutive);
            const delay = event.delay_ms as number;
            const f = a.failure;
            if (f.kind === '503') {
              expect(delay).toBeGreaterThanOrEqual(0);
              expect(delay).toBeLessThanOrEqual(
                Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** (consecutive - 1)),
              );
              expect(delay).toBeLessThanOrEqual(backoffDelay(consecutive, r, () => 0.9999999));
            } else if (f.kind === '503-retry-after') {
              expect(delay).toBe(f.seconds * 1000);
            } else if (f.kind === '429') {
              const serverDate = Math.floor(a.at / 1000) * 1000;
              expect(delay).toBe(
                Math.max(0, (Math.floor(a.at / 1000) + f.resetAheadSec) * 1000 - serverDate) + 1000,
              );
            }
          }
          seen.retries += retries.length;
          const outcome = summary.streams[0]!.outcome;
          if (outcome === 'failed') seen.exhausted++;
          if (outcome === 'deadline') seen.deadline++;
          // Never outlasts the deadline: no wait ends after start + budget - margin.
          expect(clock.now()).toBeLessThanOrEqual(NOW + r.budgetMs);
        },
      ),
      { numRuns: runs(150) },
    );
    expect(seen.retries).toBeGreaterThan(100);
    expect(seen.exhausted).toBeGreaterThan(5);
    expect(seen.deadline).toBeGreaterThan(5);
  });
});
