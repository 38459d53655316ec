import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { idFromMs, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { collectAll, getApi, type Json, qs } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);

async function admin(emu: RunningEmulator, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('live world, clock and admin API', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 10, posts: 400, frozenClock: true, now: NOW, lateArrivalMs: 60_000 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('POST /_emulator/publish adds posts that search sees once past the 30 s searchable delay', async () => {
    const author = emu.users()[3]!;
    const published = await admin(emu, 'POST', 'publish', {
      posts: [{ text: 'brand new zebracorn post #fresh', author: author.username }],
    });
    expect(published.status).toBe(200);
    const [post] = published.body.data as { id: string; author_id: string }[];
    expect(post!.author_id).toBe(author.id);
    expect(BigInt(post!.id) >= idFromMs(NOW)).toBe(true);
    const before = await getApi(emu, '/2/tweets/search/recent?query=zebracorn');
    expect(before.body).toEqual({ meta: { result_count: 0 } });
    const timeline = await getApi(emu, `/2/users/${author.id}/tweets`);
    expect(timeline.body.data[0].id).toBe(post!.id);
    await admin(emu, 'POST', 'clock', { advance_ms: 30_001 });
    const after = await getApi(emu, '/2/tweets/search/recent?query=zebracorn%20%23fresh');
    expect(after.body.data.map((t: { id: string }) => t.id)).toEqual([post!.id]);
  });

  it('a late arrival becomes visible after higher ids were already served', async () => {
    const [late] = emu.publish({ posts: [{ text: 'lateword first', late: true }] });
    emu.advanceClock(1000);
    const [onTime] = emu.publish({ posts: [{ text: 'lateword second' }] });
    expect(BigInt(late!.id) < BigInt(onTime!.id)).toBe(true);
    emu.advanceClock(31_000);
    const first = await getApi(emu, '/2/tweets/search/recent?query=lateword');
    expect(first.body.data.map((t: { id: string }) => t.id)).toEqual([onTime!.id]);
    emu.advanceClock(60_000);
    const sinceNewest = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'lateword', since_id: first.body.meta.newest_id })}`,
    );
    expect(sinceNewest.body).toEqual({ meta: { result_count: 0 } });
    const all = await getApi(emu, '/2/tweets/search/recent?query=lateword');
    expect(all.body.data.map((t: { id: string }) => t.id)).toEqual([onTime!.id, late!.id]);
  });

  it('reset drops published posts and replays the same publishes', () => {
    const [mine] = emu.publish({ posts: [{ text: 'to be forgotten' }] });
    const first = emu.publish({ count: 5 });
    expect(emu.groundTruth({ endpoint: 'user_tweets', user_id: mine!.author_id })).toContain(mine!.id);
    emu.reset();
    expect(emu.groundTruth({ endpoint: 'user_tweets', user_id: mine!.author_id })).not.toContain(mine!.id);
    emu.publish({ posts: [{ text: 'to be forgotten' }] });
    expect(emu.publish({ count: 5 })).toEqual(first);
  });

  it('generated publishes honour the late-arrival fraction', () => {
    const posts = emu.publish({ count: 400 });
    const late = posts.filter((p) => Date.parse(p.visible_at) > NOW);
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(60);
  });

  it('the 7-day window of recent search moves with the clock', async () => {
    const truth = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    emu.advanceClock(2 * 86_400_000);
    const later = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    expect(later.length).toBeLessThan(truth.length);
    expect(truth.slice(0, later.length)).toEqual(later);
    const { ids } = await collectAll(
      emu,
      '/2/tweets/search/recent',
      { query: 'the', max_results: 100 },
      'next_token',
    );
    expect(ids).toEqual(later);
    const archive = emu.groundTruth({ endpoint: 'search_all', query: 'the' });
    expect(archive.length).toBeGreaterThan(truth.length);
  });

  it('GET /_emulator/ground-truth answers ids newest first, and 400 for a query the API rejects', async () => {
    const ok = await admin(emu, 'GET', `ground-truth?${qs({ endpoint: 'search_recent', query: 'the' })}`);
    expect(ok.body.ids).toEqual(emu.groundTruth({ endpoint: 'search_recent', query: 'the' }));
    const bad = await admin(
      emu,
      'GET',
      `ground-truth?${qs({ endpoint: 'search_recent', query: 'has:media' })}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.problem.type).toBe('https://api.twitter.com/2/problems/invalid-request');
  });

  it('admin faults, limits, requests and reset round-trip over HTTP', async () => {
    await admin(emu, 'POST', 'faults', { scripted: [{ at: 1, fault: '502' }] });
    await admin(emu, 'POST', 'limits', { rateLimits: { search_recent: 2 } });
    const statuses = [];
    for (let n = 0; n < 4; n++)
      statuses.push((await getApi(emu, '/2/tweets/search/recent?query=the')).status);
    expect(statuses).toEqual([502, 200, 200, 429]);
    const log = await admin(emu, 'GET', 'requests');
    expect(log.body.status_counts).toEqual({ 200: 2, 429: 1, 502: 1 });
    expect(log.body.requests.map((r: { status: number }) => r.status)).toEqual(statuses);
    await admin(emu, 'POST', 'reset', {});
    expect((await admin(emu, 'GET', 'requests')).body.requests).toEqual([]);
    await admin(emu, 'POST', 'limits', { rateLimits: { search_recent: 450 } });
  });

  it('POST /_emulator/reset with a seed regenerates a different world; the same seed the same one', async () => {
    const a = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    await admin(emu, 'POST', 'reset', { seed: 99 });
    const b = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    await admin(emu, 'POST', 'reset', { seed: 10 });
    expect(b).not.toEqual(a);
    expect(emu.groundTruth({ endpoint: 'search_recent', query: 'the' })).toEqual(a);
  });

  it('the publish timer publishes publishRate posts per second and stops on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const live = await startEmulator({ posts: 100, publishRate: 50, frozenClock: true, now: NOW });
      vi.advanceTimersByTime(1000);
      const health = (await admin(live, 'GET', 'health')).body;
      expect(health.posts).toBe(150);
      await live.close();
      vi.advanceTimersByTime(1000);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
