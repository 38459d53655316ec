/**
 * Property 8, batch processing, on real pages: the engine polling the emulator over loopback never
 * hands the sink a batch above batch_size, keeps the API's order across batches and pages, and each
 * batch's includes cover exactly its posts' authors. The byte limits (core splitIntoBatches' maxBytes,
 * the AWS sinks' splitBatchByBytes) hold on those same real batches, order kept, nothing dropped.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { jsonBytes, splitBatchByBytes } from '../../src/adapters/aws/batch-split.js';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { splitIntoBatches } from '../../src/core/batching.js';
import { SinkError } from '../../src/core/errors.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { runExecution } from '../../src/core/run.js';
import {
  archiveStream,
  CollectingSink,
  engineDeps,
  fastOptions,
  QUERIES,
  runs,
  startTestEmulator,
  strictlyDescending,
} from './support.js';

describe('property 8: batch processing (engine + emulator)', () => {
  let emu: RunningEmulator;
  let n = 0;
  const realBatches: Batch[] = [];
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 300 });
  });
  afterAll(() => emu.close());

  it('batches never exceed batch_size, keep the API order and carry their own includes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...QUERIES),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(0, 0.3),
        async (query, batchSize, maxTweets, faultRate) => {
          emu.setFaults({ rate: faultRate, kinds: ['short-page', 'empty-page'], seed: n + 1 });
          const sink = new CollectingSink();
          const spec = {
            ...archiveStream(query, `b${++n}`),
            tweetFields: ['created_at', 'author_id', 'lang', 'entities'],
          };
          await runExecution(
            engineDeps(emu, new MemoryCheckpointStore(), sink),
            [spec],
            fastOptions({ batchSize, maxTweets }),
          );
          for (const batch of sink.batches) {
            expect(batch.tweets.length).toBeGreaterThan(0);
            expect(batch.tweets.length).toBeLessThanOrEqual(batchSize);
            const authors = new Set(batch.tweets.map((t) => t.author_id as string));
            const users = new Set((batch.includes?.users ?? []).map((u) => u.id as string));
            // Every author is included; every included user is referenced by a post of this batch.
            for (const a of authors) expect(users.has(a)).toBe(true);
            const text = JSON.stringify(batch.tweets);
            for (const u of users) expect(text).toContain(`"${u}"`);
          }
          // One sweep from scratch: the delivered order is the API's, newest first, across batches and pages.
          expect(strictlyDescending(sink.ids)).toBe(true);
          expect(sink.ids.length).toBeLessThanOrEqual(maxTweets);
          if (realBatches.length < 300) realBatches.push(...sink.batches.slice(0, 5));
        },
      ),
      { numRuns: runs(100) },
    );
    expect(realBatches.length).toBeGreaterThan(50);
  });

  it('byte limits hold on real batches, order kept, nothing dropped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: realBatches.length - 1 }),
        fc.integer({ min: 200, max: 20_000 }),
        fc.integer({ min: 1, max: 50 }),
        (index, maxBytes, batchSize) => {
          const batch = realBatches[index]!;
          // The AWS sinks' splitter: every piece within the limit, or a non-retryable SinkError for a lone giant.
          let pieces: Batch[] | undefined;
          try {
            pieces = splitBatchByBytes(batch, maxBytes);
          } catch (error) {
            expect(error).toBeInstanceOf(SinkError);
            expect((error as SinkError).retryable).toBe(false);
          }
          if (pieces !== undefined) {
            for (const p of pieces) expect(jsonBytes(p)).toBeLessThanOrEqual(maxBytes);
            expect(pieces.flatMap((p) => p.tweets)).toEqual(batch.tweets);
            expect(new Set(pieces.map((p) => p.batch_id)).size).toBe(pieces.length);
          }
          // Core's splitter with a byte bound: a batch above the bound holds a single post.
          const core = splitIntoBatches(batch.tweets, batch.includes, {
            stream: batch.stream,
            correlationId: batch.correlation_id,
            batchSize,
            maxBytes,
          });
          expect(core.flatMap((b) => b.tweets)).toEqual(batch.tweets);
          for (const b of core) {
            expect(b.tweets.length).toBeLessThanOrEqual(batchSize);
            const bytes = b.tweets.reduce((a, t) => a + Buffer.byteLength(JSON.stringify(t)) + 1, 0);
            if (b.tweets.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
