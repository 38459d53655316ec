/**
 * Concurrency: 2 to 8 pollers (each its own DynamoDB client and store) poll the same streams at once
 * against dynalite, round after round, with posts published in between. At any moment at most one
 * poller holds a stream's lease (tracked around the real store calls, and every other poller logs
 * stream_skipped); together they deliver every post, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import type { CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import {
  archiveStream,
  CollectingSink,
  compareDelivery,
  emptyFigures,
  engineDeps,
  fastOptions,
  iterations,
  NOW,
  QUERIES,
  reportScenario,
  startTestEmulator,
} from '../property/support.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { ManualClock } from '../support/manual-clock.js';

/** Counts holders per stream: +1 once acquireLease resolved with a lease, -1 before release is sent. */
function tracked(
  inner: CheckpointStore,
  holders: Map<string, number>,
  peak: Map<string, number>,
): CheckpointStore {
  const wrapper = Object.create(inner) as CheckpointStore;
  wrapper.acquireLease = async (stream, owner, ttl, now) => {
    const lease = await inner.acquireLease(stream, owner, ttl, now);
    if (lease !== null) {
      const n = (holders.get(stream) ?? 0) + 1;
      holders.set(stream, n);
      peak.set(stream, Math.max(peak.get(stream) ?? 0, n));
    }
    return lease;
  };
  wrapper.releaseLease = async (lease: Lease) => {
    holders.set(lease.stream, (holders.get(lease.stream) ?? 1) - 1);
    await inner.releaseLease(lease);
  };
  for (const m of ['load', 'save', 'renewLease', 'list', 'reset', 'close'] as const) {
    (wrapper as unknown as Record<string, unknown>)[m] = (inner[m] as (...a: unknown[]) => unknown).bind(
      inner,
    );
  }
  return wrapper;
}

describe('concurrency: 2 to 8 pollers on the same streams (dynalite)', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  const figures = emptyFigures();
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 300 });
    db = await startDynalite();
  });
  afterAll(async () => {
    reportScenario('concurrency (2-8 pollers, dynalite)', figures);
    await db.close();
    await emu.close();
  });

  it('one holder per stream at a time; nothing lost, nothing twice', { timeout: 180_000 }, async () => {
    const rounds = iterations(14, 56);
    let skipped = 0;
    for (let round = 0; round < rounds; round++) {
      const pollers = 2 + (round % 7);
      emu.reset();
      const table = await db.createTable(`conc-${round}`);
      const queries = QUERIES.slice(0, 3);
      const streams = queries.map((q, i) => archiveStream(q, `c${round}-${i}`));
      const sink = new CollectingSink();
      const holders = new Map<string, number>();
      const peak = new Map<string, number>();
      const clients = Array.from({ length: pollers }, () => db.client());
      const stores = clients.map((client) =>
        tracked(new DynamoDbCheckpointStore({ tableName: table, client }), holders, peak),
      );
      let time = NOW;
      for (let wave = 0; wave < 3; wave++) {
        emu.publish({ count: 20 + wave * 10 });
        const summaries = await Promise.all(
          stores.map((store, p) =>
            runExecution(
              engineDeps(emu, store, sink, { clock: new ManualClock(time) }),
              // Each poller takes the streams in its own order, so they collide on every stream.
              p % 2 === 0 ? streams : [...streams].reverse(),
              fastOptions({ batchSize: 4, maxTweets: 10_000, correlationId: `c${round}-w${wave}-p${p}` }),
            ),
          ),
        );
        figures.runs += pollers;
        time += 1_000;
        for (const s of summaries)
          for (const st of s.streams) {
            expect(['caught_up', 'skipped_locked']).toContain(st.outcome);
            if (st.outcome === 'skipped_locked') skipped++;
          }
        // Whoever did not get a stream ended in skipped_locked; someone may have polled it after a release.
        for (const [stream, n] of peak) {
          if (n > 1) figures.unexpected++;
          expect(n, stream).toBe(1);
        }
        // Streams skipped by everyone this wave are finished by a single poller before checking.
        for (const spec of streams) {
          await runExecution(
            engineDeps(emu, stores[0]!, sink, { clock: new ManualClock(time) }),
            [spec],
            fastOptions({ batchSize: 4 }),
          );
        }
      }
      for (const [i, q] of queries.entries()) {
        const truth = emu.groundTruth({ endpoint: 'search_all', query: q });
        const mine = sink.batches
          .filter((b) => b.stream === streams[i]!.name)
          .flatMap((b) => b.tweets.map((t) => t.id));
        const d = compareDelivery(truth, mine);
        figures.published += truth.length;
        figures.lost += d.lost;
        figures.duplicates += d.duplicates;
        expect(d.lostIds).toEqual([]);
        expect(d.unexpected).toBe(0);
        expect(d.duplicates).toBe(0);
      }
      for (const c of clients) c.destroy();
    }
    // The pollers really collided (else the one-holder check would be vacuous).
    expect(skipped).toBeGreaterThan(rounds);
  });
});
