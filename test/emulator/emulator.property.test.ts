import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultKind, idFromMs, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { collectAll, type Json } from './helpers.js';
import { queryShape, renderQuery } from './query-arbitrary.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const WEEK = 7 * 86_400_000;
const RUNS = 100;

/** Counts runs whose ground truth spanned several pages, so the properties cannot pass vacuously. */
const coverage = { multiPage: 0, runs: 0 };
function note(truthLength: number, pageSize: number): void {
  coverage.runs++;
  if (truthLength > pageSize) coverage.multiPage++;
}

/** An optional id inside the last 7 days (fraction of the week back from now). */
const optionalId = fc.option(
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(0x3fffff))
    .map(([f, low]) => idFromMs(NOW - 40_000 - f * (WEEK - 120_000), low).toString()),
  { nil: undefined, freq: 2 },
);

function expectConsistentPages(pages: Json[], ids: string[], truth: string[]): void {
  expect(ids).toEqual(truth);
  expect(new Set(ids).size).toBe(ids.length);
  for (let k = 1; k < ids.length; k++) expect(BigInt(ids[k - 1]!) > BigInt(ids[k]!)).toBe(true);
  for (const page of pages) {
    const data = (page.data ?? []) as { id: string }[];
    expect(page.meta.result_count).toBe(data.length);
    if (data.length === 0) {
      expect(page.meta.newest_id).toBeUndefined();
      continue;
    }
    expect(page.meta.newest_id).toBe(data[0]!.id);
    expect(page.meta.oldest_id).toBe(data[data.length - 1]!.id);
  }
}

describe('emulator paging properties', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ posts: 100, frozenClock: true, now: NOW, searchAllPerSecond: 0 });
  });
  afterAll(() => emu.close());

  it('search pages: union = ground truth, no repeats, ids strictly descend, meta matches each page', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 30, max: 3000 }),
        queryShape,
        fc.constantFrom('search_recent', 'search_all') as fc.Arbitrary<'search_recent' | 'search_all'>,
        fc.oneof(fc.integer({ min: 10, max: 15 }), fc.integer({ min: 10, max: 100 })),
        optionalId,
        optionalId,
        async (seed, posts, shape, endpoint, pageSize, sinceId, untilId) => {
          emu.reset({ seed, posts });
          const query = renderQuery(
            shape,
            emu.users().map((u) => u.username),
          );
          const truth = emu.groundTruth({
            endpoint,
            query,
            ...(sinceId ? { since_id: sinceId } : {}),
            ...(untilId ? { until_id: untilId } : {}),
          });
          const path = endpoint === 'search_recent' ? '/2/tweets/search/recent' : '/2/tweets/search/all';
          const params = { query, max_results: pageSize, since_id: sinceId, until_id: untilId };
          const { ids, pages } = await collectAll(emu, path, params, 'next_token', 200);
          expectConsistentPages(pages, ids, truth);
          note(truth.length, pageSize);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('timeline and mention pages: union = ground truth, no repeats, ids strictly descend', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 30, max: 3000 }),
        fc.nat(10),
        fc.constantFrom('user_tweets', 'user_mentions') as fc.Arbitrary<'user_tweets' | 'user_mentions'>,
        fc.constantFrom(undefined, 'replies', 'retweets', 'replies,retweets'),
        fc.oneof(fc.integer({ min: 5, max: 10 }), fc.integer({ min: 5, max: 100 })),
        optionalId,
        optionalId,
        async (seed, posts, userPick, endpoint, exclude, pageSize, sinceId, untilId) => {
          emu.reset({ seed, posts });
          const users = emu.users().sort((a, b) => b.posts - a.posts);
          const user = users[userPick % users.length]!;
          const excl = endpoint === 'user_tweets' ? exclude : undefined;
          const truth = emu.groundTruth({
            endpoint,
            user_id: user.id,
            ...(excl ? { exclude: excl } : {}),
            ...(sinceId ? { since_id: sinceId } : {}),
            ...(untilId ? { until_id: untilId } : {}),
          });
          const path = `/2/users/${user.id}/${endpoint === 'user_tweets' ? 'tweets' : 'mentions'}`;
          const params = { max_results: pageSize, exclude: excl, since_id: sinceId, until_id: untilId };
          const { ids, pages } = await collectAll(emu, path, params, 'pagination_token', 200);
          expectConsistentPages(pages, ids, truth);
          note(truth.length, pageSize);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('short and empty pages with next_token never lose posts for a client that keeps paging', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        queryShape,
        fc.integer({ min: 10, max: 40 }),
        fc.double({ min: 0.1, max: 0.6, noNaN: true }),
        async (seed, shape, pageSize, rate) => {
          emu.reset({ seed, posts: 200 });
          const kinds: FaultKind[] = ['short-page', 'empty-page'];
          emu.setFaults({ rate, kinds, seed });
          const query = renderQuery(
            shape,
            emu.users().map((u) => u.username),
          );
          const truth = emu.groundTruth({ endpoint: 'search_recent', query });
          const { ids, pages } = await collectAll(
            emu,
            '/2/tweets/search/recent',
            { query, max_results: pageSize },
            'next_token',
            500,
          );
          expectConsistentPages(pages, ids, truth);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('covers multi-page runs (the properties above are not vacuous)', () => {
    expect(coverage.runs).toBe(2 * RUNS);
    expect(coverage.multiPage).toBeGreaterThan(coverage.runs / 5);
  });
});
