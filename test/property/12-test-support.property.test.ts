/**
 * Property 12, test support: for any seed and corpus size, the emulator is deterministic (the same
 * seed gives the same world and the same ground truth), and the real poller, paging it over loopback
 * on every endpoint (search/recent, search/all, user timeline with excludes, mentions), collects
 * exactly what the emulator says is the ground truth.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruthRequest, RunningEmulator } from '../../emulator/index.js';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  archiveStream,
  CollectingSink,
  compareDelivery,
  emptyFigures,
  engineDeps,
  fastOptions,
  NOW,
  pollUntilCaughtUp,
  QUERIES,
  reportScenario,
  runs,
  startTestEmulator,
} from './support.js';

type Kind = 'search_recent' | 'search_all' | 'user_tweets' | 'user_mentions';

describe('property 12: test support (emulator and poller agree with the ground truth)', () => {
  let emu: RunningEmulator;
  let twin: RunningEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
    twin = await startTestEmulator();
  });
  const figures = emptyFigures();
  afterAll(async () => {
    reportScenario('property-12 test support (emulator vs poller, every endpoint)', figures);
    await emu.close();
    await twin.close();
  });

  it('for any seed: deterministic worlds, and the poller collects exactly the ground truth on every endpoint', async () => {
    const nonEmpty: Record<Kind, number> = {
      search_recent: 0,
      search_all: 0,
      user_tweets: 0,
      user_mentions: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 30, max: 300 }),
        fc.constantFrom<Kind>('search_recent', 'search_all', 'user_tweets', 'user_mentions'),
        fc.constantFrom(...QUERIES),
        fc.constantFrom(undefined, 'replies', 'retweets', 'replies,retweets'),
        fc.integer({ min: 3, max: 120 }),
        async (seed, posts, kind, query, exclude, maxTweets) => {
          emu.reset({ seed, posts });
          twin.reset({ seed, posts });
          const users = emu.users();
          expect(twin.users()).toEqual(users);
          const busiest = [...users].sort((a, b) =>
            kind === 'user_mentions' ? b.mentions - a.mentions : b.posts - a.posts,
          )[0]!;
          let request: GroundTruthRequest;
          let spec: StreamSpec;
          const base = archiveStream(query, `g${seed}-${kind}`);
          if (kind === 'search_recent') {
            // Ask from an explicit id inside the 7-day window, as a configured first run would.
            const since = timeMsToId(NOW - 6 * 86_400_000);
            request = { endpoint: 'search_recent', query, since_id: since };
            spec = {
              ...base,
              source: { kind: 'search', query, archive: false },
              initial: { kind: 'since_id', id: since },
            };
          } else if (kind === 'search_all') {
            request = { endpoint: 'search_all', query };
            spec = base;
          } else if (kind === 'user_tweets') {
            request = { endpoint: 'user_tweets', user_id: busiest.id, ...(exclude ? { exclude } : {}) };
            const ex = (exclude?.split(',') ?? []) as ('replies' | 'retweets')[];
            // By username: the poller resolves it through users/by/username first.
            spec = { ...base, source: { kind: 'timeline', user: busiest.username, exclude: ex } };
          } else {
            request = { endpoint: 'user_mentions', user_id: busiest.id };
            spec = { ...base, source: { kind: 'mentions', user: busiest.id } };
          }
          const truth = emu.groundTruth(request);
          expect(twin.groundTruth(request)).toEqual(truth);
          if (truth.length > 0) nonEmpty[kind]++;
          const sink = new CollectingSink();
          const store = new MemoryCheckpointStore();
          const summaries = await pollUntilCaughtUp(
            () => engineDeps(emu, store, sink, { clock: new ManualClock(NOW) }),
            [spec],
            fastOptions({ maxTweets, batchSize: 17 }),
            Math.ceil(truth.length / maxTweets) + 3,
          );
          expect(summaries.at(-1)?.caught_up).toBe(true);
          const d = compareDelivery(truth, sink.ids);
          figures.runs++;
          figures.published += truth.length;
          figures.lost += d.lost;
          figures.unexpected += d.unexpected;
          figures.duplicates += d.duplicates;
          expect(d.lostIds).toEqual([]);
          expect(d.unexpected).toBe(0);
          expect(d.duplicates).toBe(0);
        },
      ),
      { numRuns: runs(120) },
    );
    for (const kind of Object.keys(nonEmpty) as Kind[]) expect(nonEmpty[kind]).toBeGreaterThan(5);
  });
});
