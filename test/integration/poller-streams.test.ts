/**
 * The poller (real HttpXApi, SQLite store, JSONL sink, SystemClock, JSON logger) against the emulator
 * over loopback, one stream kind at a time: every ground-truth id delivered exactly once, every page
 * asked at the endpoint's largest size, no page asked twice, the checkpoint at the newest id.
 */
import { describe, expect, it } from 'vitest';
import { timeMsToId } from '../../src/core/ids.js';
import {
  compareDelivery,
  eventsOf,
  pageRequests,
  paramsOf,
  publishMatching,
  type RunResult,
  repeatedPages,
  stream,
  usePollerEmulator,
} from './support-poller/rig.js';

const QUERY = 'music OR coffee';

describe('poller against the emulator: stream kinds and pagination', () => {
  const env = usePollerEmulator();
  const rig: typeof env.rig = (api) => env.rig(api);

  const allRequests = (runs: readonly RunResult[]) => runs.flatMap((r) => r.requests);

  it('recent search: pages through the backlog at max_results=100, each page once, checkpoint at the newest id', async () => {
    const r = rig();
    const since = timeMsToId(env.emu.now() - 6 * 86_400_000);
    const spec = stream(
      'recent',
      { kind: 'search', query: QUERY, archive: false },
      {
        initial: { kind: 'since_id', id: since },
      },
    );
    const truth = env.emu.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    expect(truth.length).toBeGreaterThan(300); // several pages

    const run = await r.run([spec], { batchSize: 30 });

    expect(run.summary.caught_up).toBe(true);
    const d = compareDelivery(truth, r.delivered());
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
    expect(r.delivered()).toEqual(truth); // newest first, as the API pages them
    const pages = pageRequests(run.requests);
    expect(pages).toHaveLength(Math.ceil(truth.length / 100));
    expect(pages.every((p) => paramsOf(p).get('max_results') === '100')).toBe(true);
    expect(repeatedPages(run.requests)).toEqual([]);
    expect(eventsOf(run, 'batch').reduce((a, e) => a + Number(e.count), 0)).toBe(truth.length);
    const cp = await r.checkpoint('recent');
    expect(cp?.sinceId).toBe(truth[0]);
    expect(cp?.sweep).toBeNull();
  });

  it('recent search: short and empty pages (with next_token) neither lose nor repeat a post', async () => {
    const r = rig();
    const path = '/2/tweets/search/recent';
    env.emu.setFaults({
      scripted: [
        { path, nth: 1, fault: 'short-page' },
        { path, nth: 2, count: 2, fault: 'empty-page' }, // twice in a row: the same token handed back
        { path, nth: 5, fault: 'short-page' },
      ],
      rate: 0.3,
      kinds: ['short-page', 'empty-page'],
      seed: 5,
    });
    const since = timeMsToId(env.emu.now() - 6 * 86_400_000);
    const spec = stream(
      'shaky',
      { kind: 'search', query: QUERY, archive: false },
      {
        initial: { kind: 'since_id', id: since },
      },
    );
    const truth = env.emu.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });

    const runs = await r.runUntilCaughtUp([spec], { batchSize: 17 }, 3);

    expect(runs.at(-1)?.summary.caught_up).toBe(true);
    const requests = allRequests(runs);
    const faults = requests.filter((q) => q.fault !== undefined).map((q) => q.fault);
    expect(faults).toContain('short-page');
    expect(faults).toContain('empty-page');
    const d = compareDelivery(truth, r.delivered());
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
    expect(pageRequests(requests).every((p) => paramsOf(p).get('max_results') === '100')).toBe(true);
    expect(repeatedPages(requests)).toEqual([]);
    expect((await r.checkpoint('shaky'))?.sinceId).toBe(truth[0]);
  });

  it('archive search: max_results=500 and paced to 1 request per second (no 429)', async () => {
    const r = rig();
    const query = 'coffee OR music OR love OR news';
    const spec = stream('archive', { kind: 'search', query, archive: true });
    const truth = env.emu.groundTruth({ endpoint: 'search_all', query });
    expect(truth.length).toBeGreaterThan(500); // two pages of 500

    const run = await r.run([spec]);

    expect(run.summary.caught_up).toBe(true);
    const d = compareDelivery(truth, r.delivered());
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
    expect(run.requests.filter((q) => q.status === 429)).toEqual([]);
    const pages = pageRequests(run.requests);
    expect(pages).toHaveLength(Math.ceil(truth.length / 500));
    expect(pages.every((p) => p.endpoint === 'search_all')).toBe(true);
    expect(pages.every((p) => paramsOf(p).get('max_results') === '500')).toBe(true);
    expect(repeatedPages(run.requests)).toEqual([]);
  });

  it('user timeline by username with exclude: one lookup, kept in the checkpoint; new posts next run', async () => {
    const r = rig();
    const user = [...env.emu.users()].sort((a, b) => b.posts - a.posts)[0]!;
    const spec = stream('timeline', {
      kind: 'timeline',
      user: user.username,
      exclude: ['replies', 'retweets'],
    });
    const truth = () =>
      env.emu.groundTruth({
        endpoint: 'user_tweets',
        user_id: user.id,
        exclude: 'replies,retweets',
        since_id: '1',
      });
    const first = truth();
    expect(first.length).toBeGreaterThan(100);
    expect(first.length).toBeLessThan(user.posts); // the exclusion matters

    const run1 = await r.run([spec]);
    env.emu.publish({ posts: [{ text: 'fresh timeline post one', author: user.username }] });
    env.emu.publish({ posts: [{ text: 'fresh timeline post two', author: user.username }] });
    const run2 = await r.run([spec]);

    expect(run1.summary.caught_up && run2.summary.caught_up).toBe(true);
    const all = truth();
    expect(all.length).toBe(first.length + 2);
    const d = compareDelivery(all, r.delivered());
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
    expect(run2.summary.tweets_delivered).toBe(2);
    const lookups = [...run1.requests, ...run2.requests].filter((q) => q.endpoint === 'user_by_username');
    expect(lookups).toHaveLength(1);
    const pages = pageRequests([...run1.requests, ...run2.requests]);
    expect(pages.every((p) => p.url.startsWith(`/2/users/${user.id}/tweets?`))).toBe(true);
    expect(pages.every((p) => paramsOf(p).get('exclude') === 'replies,retweets')).toBe(true);
    expect(pages.every((p) => paramsOf(p).get('max_results') === '100')).toBe(true);
    expect(pages.every((p) => !paramsOf(p).has('next_token'))).toBe(true); // timelines: pagination_token
    expect(pages.some((p) => paramsOf(p).has('pagination_token'))).toBe(true);
    expect(repeatedPages([...run1.requests, ...run2.requests])).toEqual([]);
    const cp = await r.checkpoint('timeline');
    expect(cp?.userId).toBe(user.id);
    expect(cp?.sinceId).toBe(all[0]);
  });

  it('mentions by username: every mention, then the new ones only', async () => {
    const r = rig();
    const user = [...env.emu.users()].sort((a, b) => b.mentions - a.mentions)[0]!;
    const spec = stream('mentions', { kind: 'mentions', user: user.username });
    const truth = () => env.emu.groundTruth({ endpoint: 'user_mentions', user_id: user.id, since_id: '1' });
    expect(truth().length).toBeGreaterThan(100);

    const run1 = await r.run([spec]);
    env.emu.publish({
      posts: [{ text: `hello @${user.username} again` }, { text: `and @${user.username} too` }],
    });
    const run2 = await r.run([spec]);

    expect(run1.summary.caught_up && run2.summary.caught_up).toBe(true);
    expect(run2.summary.tweets_delivered).toBe(2);
    const d = compareDelivery(truth(), r.delivered());
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
    const pages = pageRequests([...run1.requests, ...run2.requests]);
    expect(pages.every((p) => p.url.startsWith(`/2/users/${user.id}/mentions?`))).toBe(true);
    expect(pages.every((p) => paramsOf(p).get('max_results') === '100')).toBe(true);
    expect(repeatedPages([...run1.requests, ...run2.requests])).toEqual([]);
  });

  it('live publishing between runs: each run delivers only what is new, nothing twice', async () => {
    const r = rig();
    const query = 'livewire';
    const spec = stream(
      'live',
      { kind: 'search', query, archive: false },
      {
        initial: { kind: 'since_id', id: timeMsToId(env.emu.now() - 1_000) },
      },
    );
    const published: string[] = [];
    for (let round = 0; round < 4; round++) {
      published.push(...publishMatching(env.emu, query, 60 + round * 47));
      const run = await r.run([spec], { batchSize: 13 });
      expect(run.summary.caught_up).toBe(true);
      expect(run.summary.tweets_delivered).toBe(60 + round * 47);
      expect(repeatedPages(run.requests)).toEqual([]);
      const d = compareDelivery(published, r.delivered());
      expect(d.lost).toEqual([]);
      expect(d.unexpected).toEqual([]);
      expect(d.duplicates).toBe(0);
    }
    // A run with nothing new costs one request and delivers nothing.
    const idle = await r.run([spec]);
    expect(idle.summary.tweets_delivered).toBe(0);
    expect(pageRequests(idle.requests)).toHaveLength(1);
  });

  describe('late arrivals (a lower id visible after a higher one was served)', () => {
    const query = 'latecomer';
    /** A late post L, then a normal post N with a higher id; returns both ids. */
    const publishLateThenNormal = () => {
      const [late] = publishMatching(env.emu, query, 1, true);
      env.emu.advanceClock(1_000);
      const [normal] = publishMatching(env.emu, query, 1);
      return { late: late!, normal: normal! };
    };

    it('without overlap: the late post below since_id is never fetched (the documented limit)', async () => {
      const r = rig();
      const spec = stream(
        'late-plain',
        { kind: 'search', query, archive: false },
        {
          initial: { kind: 'since_id', id: timeMsToId(env.emu.now() - 1_000) },
        },
      );
      const { late, normal } = publishLateThenNormal();
      await r.run([spec]);
      expect(r.delivered()).toEqual([normal]);
      env.emu.advanceClock(61_000); // the late post becomes visible
      expect(
        env.emu.groundTruth({
          endpoint: 'search_recent',
          query,
          since_id: timeMsToId(env.emu.now() - 300_000),
        }),
      ).toContain(late);
      const run2 = await r.run([spec]);
      expect(run2.summary.caught_up).toBe(true);
      expect(r.delivered()).toEqual([normal]);
      expect(BigInt(late)).toBeLessThan(BigInt(normal));
    });

    it('with overlap: the late post is delivered and the already delivered one is not repeated', async () => {
      const r = rig();
      const spec = stream(
        'late-overlap',
        { kind: 'search', query, archive: false },
        {
          initial: { kind: 'since_id', id: timeMsToId(env.emu.now() - 1_000) },
          overlapSeconds: 120,
        },
      );
      const { late, normal } = publishLateThenNormal();
      await r.run([spec]);
      expect(r.delivered()).toEqual([normal]);
      env.emu.advanceClock(61_000);
      const run2 = await r.run([spec]);
      expect(run2.summary.caught_up).toBe(true);
      expect(r.delivered()).toEqual([normal, late]);
      // The overlap re-read asked below since_id.
      const asked = pageRequests(run2.requests).map((p) => BigInt(paramsOf(p).get('since_id') ?? '0'));
      expect(asked.every((s) => s < BigInt(late))).toBe(true);
      const run3 = await r.run([spec]);
      expect(run3.summary.tweets_delivered).toBe(0);
      expect(r.delivered()).toEqual([normal, late]);
    });
  });
});
