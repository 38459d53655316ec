/**
 * Child process of property 7: polls the emulator at argv[2] to the end with the real engine
 * (HttpXApi, MemoryCheckpointStore, a counting sink that keeps nothing) and prints one JSON line with
 * the posts delivered and the peak heap / RSS sampled during the run (baseline after a GC subtracted).
 * Run with --expose-gc.
 */
import { getHeapStatistics } from 'node:v8';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import type { Batch, Sink } from '../../src/core/ports/sink.js';
import { runExecution } from '../../src/core/run.js';
import { RecordingMetrics } from '../support/harness.js';
import { ManualClock } from '../support/manual-clock.js';

const url = process.argv[2] ?? '';
const query = process.argv[3] ?? '';
const gc = (globalThis as { gc?: () => void }).gc;

class CountingSink implements Sink {
  posts = 0;
  batches = 0;
  async write(batch: Batch): Promise<void> {
    this.posts += batch.tweets.length;
    sample();
    // Every 25th batch, the live heap: what is still referenced after a full GC.
    if (++this.batches % 25 === 0 && gc !== undefined) {
      gc();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    }
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

let peakHeap = 0;
let peakRss = 0;
let peakV8 = 0;
let peakLive = 0;
function sample(): void {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
  peakV8 = Math.max(peakV8, getHeapStatistics().used_heap_size);
}

const noopLogger = { log: () => undefined, child: () => noopLogger };

async function main(): Promise<void> {
  gc?.();
  const base = process.memoryUsage();
  const timer = setInterval(sample, 2);
  const sink = new CountingSink();
  const store = new MemoryCheckpointStore();
  const clock = new ManualClock(Date.now());
  let summaryRuns = 0;
  for (; summaryRuns < 50; summaryRuns++) {
    const summary = await runExecution(
      {
        api: new HttpXApi({
          baseUrl: url,
          bearerToken: 'memory-token-0123456789',
          responseTimeoutMs: 30_000,
          bodyTimeoutMs: 30_000,
        }),
        store,
        sink,
        clock,
        logger: noopLogger,
        metrics: new RecordingMetrics(),
      },
      [
        {
          name: 'mem',
          source: { kind: 'search', query, archive: true },
          tweetFields: ['created_at', 'author_id'],
          userFields: [],
          expansions: ['author_id'],
          initial: { kind: 'since_id', id: '1' },
          overlapSeconds: 0,
        },
      ],
      {
        ...DEFAULT_RUN_OPTIONS,
        maxTweets: 10_000_000,
        batchSize: 250,
        minIntervalMs: 0,
        timeBudgetMs: 86_400_000,
      },
    );
    if (summary.caught_up) break;
  }
  clearInterval(timer);
  sample();
  process.stdout.write(
    `${JSON.stringify({
      posts: sink.posts,
      baseHeap: base.heapUsed,
      peakHeapDelta: peakHeap - base.heapUsed,
      peakRssDelta: peakRss - base.rss,
      peakV8Delta: peakV8 - base.heapUsed,
      peakLiveDelta: peakLive - base.heapUsed,
      runs: summaryRuns + 1,
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
