/**
 * Property 7, memory efficiency. (a) Measured: the real engine in a child process polls 10,000 and
 * then 500,000 posts from an emulator running in another process; the peak live heap (after a full GC,
 * sampled every 25 batches) and the raw peak heap of the 500k run stay within a bound of the 10k run's:
 * memory follows the page and batch size, not the number of posts. A bound on memory, not on time.
 * (b) Property: whatever the number of posts and the overlap, what the engine keeps between batches
 * (the checkpoint it writes) has a bounded size.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint, Lease } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import { harness, MemorySink, recentIds, searchStream, testOptions } from '../support/harness.js';
import { runNode, spawnEmulator } from './processes.js';
import { runs } from './support.js';

const ALL_POSTS = ['en', 'es', 'fr', 'pt', 'ja', 'und', 'de', 'it', 'ko', 'qme', 'zxx']
  .map((l) => `lang:${l}`)
  .join(' OR ');

interface MemoryReport {
  posts: number;
  peakHeapDelta: number;
  peakLiveDelta: number;
  peakRssDelta: number;
}

async function measure(posts: number): Promise<MemoryReport> {
  const emu = await spawnEmulator([
    '--posts',
    String(posts),
    '--search-all-per-second',
    '0',
    '--rate-limit',
    'search_all=10000000',
  ]);
  try {
    const result = await runNode(['test/property/memory-child.ts', emu.url, ALL_POSTS], {
      nodeFlags: ['--expose-gc'],
      timeoutMs: 170_000,
    });
    if (result.code !== 0) throw new Error(`memory child failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout.trim()) as MemoryReport;
  } finally {
    await emu.stop();
  }
}

const MB = 1024 * 1024;

describe('property 7: memory efficiency', () => {
  const reports: string[] = [];
  afterAll(() => {
    for (const r of reports) process.stdout.write(`${r}\n`);
  });

  it('peak heap for 500,000 posts stays within 1.5x (+ a constant) of the peak for 10,000', {
    timeout: 240_000,
  }, async () => {
    const small = await measure(10_000);
    const large = await measure(500_000);
    reports.push(`[memory] 10k: ${JSON.stringify(small)}`, `[memory] 500k: ${JSON.stringify(large)}`);
    expect(small.posts).toBeGreaterThan(9_900);
    expect(large.posts).toBeGreaterThan(495_000);
    // Live heap (after GC): a post retained per delivery would add tens of MB at 500k.
    expect(large.peakLiveDelta).toBeLessThan(1.5 * small.peakLiveDelta + 4 * MB);
    // Raw peak (garbage included, depends on GC timing): a looser constant.
    expect(large.peakHeapDelta).toBeLessThan(1.5 * small.peakHeapDelta + 32 * MB);
  });

  it('the state kept between batches (the checkpoint) is bounded whatever the number of posts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_200 }),
        fc.integer({ min: 0, max: 3_600 }),
        fc.integer({ min: 5, max: 100 }),
        async (count, overlapSeconds, batchSize) => {
          const h = harness();
          const ids = recentIds(h.clock.now(), count, 30 * 60_000);
          h.api.publish(ids);
          let largest = 0;
          const save = h.store.save.bind(h.store);
          h.store.save = async (checkpoint: Checkpoint, lease: Lease) => {
            largest = Math.max(largest, JSON.stringify(checkpoint).length);
            await save(checkpoint, lease);
          };
          const sink = new MemorySink();
          await runExecution(
            { ...h.deps, sink },
            [searchStream({ initial: { kind: 'lookback', ms: 3_600_000 }, overlapSeconds })],
            testOptions({ maxTweets: 100_000, batchSize }),
          );
          expect(new Set(sink.ids).size).toBe(count);
          // recent_ids is capped at 1000 ids of at most 19 digits; everything else is a handful of fields.
          expect(largest).toBeLessThan(1000 * 22 + 1024);
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
