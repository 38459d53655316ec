/**
 * Property 6, execution logging: the real JsonLogger writing to a stream, the real engine against the
 * emulator (random faults) and SQLite. Every line is valid JSON; execution_start and execution_end
 * carry the same correlation id; every API call the emulator saw and every checkpoint write the store
 * accepted has its log line.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind, RunningEmulator } from '../../emulator/index.js';
import { JsonLogger } from '../../src/adapters/observability/json-logger.js';
import type { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import {
  archiveStream,
  CollectingSink,
  engineDeps,
  fastOptions,
  QUERIES,
  runs,
  sqliteStore,
  startTestEmulator,
  TOKEN,
  tempDir,
} from './support.js';

const FAULTS: FaultKind[] = [
  '429',
  '500',
  '503',
  'reset',
  'truncated',
  'invalid-json',
  'short-page',
  'empty-page',
  'html-502',
];

function countingStore(inner: CheckpointStore): CheckpointStore & { saves: number } {
  const counting = Object.create(inner) as CheckpointStore & { saves: number };
  counting.saves = 0;
  counting.save = async (checkpoint: Checkpoint, lease: Lease) => {
    await inner.save(checkpoint, lease);
    counting.saves++;
  };
  for (const m of ['load', 'acquireLease', 'renewLease', 'releaseLease', 'list', 'reset', 'close'] as const) {
    (counting as unknown as Record<string, unknown>)[m] = (inner[m] as (...a: unknown[]) => unknown).bind(
      inner,
    );
  }
  return counting;
}

describe('property 6: execution logging (JsonLogger + engine + emulator + SQLite)', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteCheckpointStore;
  let n = 0;
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 200 });
    dir = tempDir('tp-prop06-');
    store = sqliteStore(dir.dir);
  });
  afterAll(async () => {
    await store.close();
    await emu.close();
    dir.remove();
  });

  it('every line is JSON; start/end share the correlation id; API calls and checkpoint writes are logged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          streams: fc.uniqueArray(fc.constantFrom(...QUERIES), { minLength: 1, maxLength: 3 }),
          faultRate: fc.constantFrom(0, 0.2, 0.5),
          faultSeed: fc.integer({ min: 1, max: 1e6 }),
          maxTweets: fc.integer({ min: 1, max: 100 }),
          batchSize: fc.integer({ min: 1, max: 20 }),
          correlation: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
          level: fc.constantFrom('debug', 'info') as fc.Arbitrary<'debug' | 'info'>,
        }),
        async (c) => {
          const chunks: string[] = [];
          const stream = new Writable({
            write(chunk, _enc, done) {
              chunks.push(String(chunk));
              done();
            },
          });
          const logger = new JsonLogger({ stream, level: c.level, secrets: [TOKEN] });
          emu.setFaults({ rate: c.faultRate, kinds: FAULTS, seed: c.faultSeed });
          const requestsBefore = emu.requestLog().length;
          const counting = countingStore(store);
          const specs = c.streams.map((q, i) => archiveStream(q, `l${++n}-${i}`));
          const summary = await runExecution(
            { ...engineDeps(emu, counting, new CollectingSink()), logger },
            specs,
            fastOptions({
              maxTweets: c.maxTweets,
              batchSize: c.batchSize,
              retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
              ...(c.correlation === undefined ? {} : { correlationId: c.correlation }),
            }),
          );
          await new Promise((resolve) => setImmediate(resolve));
          const text = chunks.join('');
          expect(text.endsWith('\n')).toBe(true);
          const lines = text.slice(0, -1).split('\n');
          const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
          for (const e of events) {
            expect(typeof e.time).toBe('string');
            expect(typeof e.event).toBe('string');
            expect(['debug', 'info', 'warn', 'error']).toContain(e.level);
          }
          const starts = events.filter((e) => e.event === 'execution_start');
          const ends = events.filter((e) => e.event === 'execution_end');
          expect(starts).toHaveLength(1);
          expect(ends).toHaveLength(1);
          expect(events[0]!.event).toBe('execution_start');
          expect(events.at(-1)!.event).toBe('execution_end');
          expect(starts[0]!.correlation_id).toBe(summary.correlation_id);
          expect(ends[0]!.correlation_id).toBe(summary.correlation_id);
          if (c.correlation !== undefined) expect(summary.correlation_id).toBe(c.correlation);
          // Every event of the execution carries the id.
          for (const e of events) expect(e.correlation_id).toBe(summary.correlation_id);
          const apiCalls = events.filter((e) => e.event === 'api_call');
          const served = emu.requestLog().length - requestsBefore;
          expect(apiCalls).toHaveLength(served);
          expect(apiCalls).toHaveLength(summary.api_requests);
          expect(events.filter((e) => e.event === 'checkpoint_update')).toHaveLength(counting.saves);
          expect(events.filter((e) => e.event === 'batch').length).toBe(
            summary.streams.reduce((a, s) => a + s.batches, 0),
          );
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
