import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { harness, testOptions } from '../support/harness.js';

/** A timeline stream: no 7-day window, so ids of any length (1 to 19 digits) can be used. */
const stream: StreamSpec = {
  name: 'tl',
  source: { kind: 'timeline', user: '42', exclude: [] },
  tweetFields: [],
  userFields: [],
  expansions: [],
  initial: { kind: 'since_id', id: '1' },
  overlapSeconds: 0,
};

const MAX = (1n << 63n) - 1n;

/** One run of the scenario: its budget, batch size, and where (if anywhere) it stops or crashes. */
const runArb = fc.record({
  maxTweets: fc.integer({ min: 1, max: 80 }),
  batchSize: fc.integer({ min: 1, max: 30 }),
  /** Write number (1-based) after whose acknowledgement the process "crashes" before saving. */
  crashAfterAck: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  /** Write number that the sink refuses (nothing delivered). */
  sinkFailsAt: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  /** Write number after which the execution is aborted (deadline). */
  abortAfter: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  /** Posts published before this run (newer than all before). */
  publish: fc.integer({ min: 0, max: 60 }),
});

describe('frontier invariant (property)', () => {
  it('delivers every post at least once across runs; duplicates only from a batch in flight at a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.bigInt({ min: 2n, max: MAX / 2n }), { maxLength: 150 }),
        fc.array(runArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0, 1, 3600),
        async (initial, runs, overlapSeconds) => {
          const spec = { ...stream, overlapSeconds };
          const h = harness(initial.map(String));
          // The corpus lies below MAX / 2; newer posts are published above it.
          let top = MAX / 2n;
          const inFlight = new Map<string, number>();
          for (const run of runs) {
            const fresh = Array.from({ length: run.publish }, (_, i) =>
              (top + BigInt(i + 1) * 7919n).toString(),
            );
            top += BigInt(run.publish + 1) * 7919n;
            h.api.publish(fresh);
            let writes = 0;
            const controller = new AbortController();
            h.sink.failures.length = 0;
            h.sink.afterWrite = (batch) => {
              writes++;
              if (writes === run.crashAfterAck) {
                for (const t of batch.tweets) inFlight.set(t.id, (inFlight.get(t.id) ?? 0) + 1);
                throw new Error('crash between ack and save');
              }
              if (writes === run.abortAfter) controller.abort();
            };
            const originalWrite = h.sink.write.bind(h.sink);
            let attempts = 0;
            h.sink.write = async (batch) => {
              attempts++;
              if (attempts === run.sinkFailsAt) throw new Error('sink refused');
              return originalWrite(batch);
            };
            await runExecution(
              h.deps,
              [spec],
              testOptions({ maxTweets: run.maxTweets, batchSize: run.batchSize }),
              controller.signal,
            );
            h.sink.write = originalWrite;
            h.clock.advance(60_000);
          }
          // Drain: plain runs until caught up.
          h.sink.afterWrite = undefined;
          let caughtUp = false;
          for (let i = 0; i < 500 && !caughtUp; i++) {
            caughtUp = (await runExecution(h.deps, [spec], testOptions({ maxTweets: 50, batchSize: 10 })))
              .caught_up;
          }
          expect(caughtUp).toBe(true);
          const delivered = h.sink.ids;
          expect(new Set(delivered)).toEqual(new Set(h.api.ids));
          const counts = new Map<string, number>();
          for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
          for (const [id, n] of counts) expect(n - 1).toBeLessThanOrEqual(inFlight.get(id) ?? 0);
          const cp = await h.store.load(stream.name);
          expect(cp?.sweep).toBeNull();
          expect(cp?.sinceId).toBe(h.api.ids[0] ?? '1');
        },
      ),
      { numRuns: 120 },
    );
  });
});
