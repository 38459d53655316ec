import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixture, getApi, qs } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const problems = () => fixture<Record<string, Record<string, unknown>>>('problems-real.json');

function rate(headers: Headers): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(headers.get('x-rate-limit-limit')),
    remaining: Number(headers.get('x-rate-limit-remaining')),
    reset: Number(headers.get('x-rate-limit-reset')),
  };
}

describe('rate limits, windows and the usage cap', () => {
  let emu: RunningEmulator;
  let userId: string;

  beforeAll(async () => {
    emu = await startEmulator({
      seed: 8,
      posts: 600,
      frozenClock: true,
      now: NOW,
      windowSeconds: 2,
      rateLimits: { search_recent: 3, user_tweets: 2 },
    });
    userId = emu.users().sort((a, b) => b.posts - a.posts)[0]!.id;
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('counts down per endpoint and answers the real 429 body when the window is spent', async () => {
    const seen: number[] = [];
    for (let n = 0; n < 3; n++) {
      const r = await getApi(emu, '/2/tweets/search/recent?query=the');
      expect(r.status).toBe(200);
      seen.push(rate(r.headers).remaining);
    }
    expect(seen).toEqual([2, 1, 0]);
    const limited = await getApi(emu, '/2/tweets/search/recent?query=the');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(problems().too_many_requests);
    expect(rate(limited.headers)).toEqual({ limit: 3, remaining: 0, reset: Math.ceil((NOW + 2000) / 1000) });
    const other = await getApi(emu, `/2/users/${userId}/tweets`);
    expect(rate(other.headers)).toMatchObject({ limit: 2, remaining: 1 });
  });

  it('limits per token', async () => {
    for (let n = 0; n < 3; n++) await getApi(emu, '/2/tweets/search/recent?query=the', 'a');
    expect((await getApi(emu, '/2/tweets/search/recent?query=the', 'a')).status).toBe(429);
    expect((await getApi(emu, '/2/tweets/search/recent?query=the', 'b')).status).toBe(200);
  });

  it('a window starts at the first request and resets once the clock passes x-rate-limit-reset', async () => {
    emu.advanceClock(700);
    const first = await getApi(emu, '/2/tweets/search/recent?query=the');
    expect(rate(first.headers).reset).toBe(Math.ceil((NOW + 700 + 2000) / 1000));
    for (let n = 0; n < 2; n++) await getApi(emu, '/2/tweets/search/recent?query=the');
    expect((await getApi(emu, '/2/tweets/search/recent?query=the')).status).toBe(429);
    emu.advanceClock(1999);
    expect((await getApi(emu, '/2/tweets/search/recent?query=the')).status).toBe(429);
    emu.advanceClock(1);
    const after = await getApi(emu, '/2/tweets/search/recent?query=the');
    expect(after.status).toBe(200);
    expect(rate(after.headers)).toEqual({
      limit: 3,
      remaining: 2,
      reset: Math.ceil((NOW + 2700 + 2000) / 1000),
    });
  });

  it('search/all allows one request per second: 429 while remaining > 0', async () => {
    const first = await getApi(emu, '/2/tweets/search/all?query=the');
    expect(first.status).toBe(200);
    const second = await getApi(emu, '/2/tweets/search/all?query=the');
    expect(second.status).toBe(429);
    expect(rate(second.headers).remaining).toBe(299);
    emu.advanceClock(1000);
    expect((await getApi(emu, '/2/tweets/search/all?query=the')).status).toBe(200);
  });

  it('the monthly usage cap answers the usage-capped 429 although remaining > 0', async () => {
    emu.setLimits({ usageCap: 25, rateLimits: { search_recent: 100 } });
    const a = await getApi(emu, '/2/tweets/search/recent?query=the&max_results=20');
    // The next page: the same page again would be free (a re-read the same UTC day is not billed).
    const b = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', max_results: 20, next_token: a.body.meta.next_token })}`,
    );
    expect([a.status, b.status]).toEqual([200, 200]);
    const capped = await getApi(emu, '/2/tweets/search/recent?query=the');
    expect(capped.status).toBe(429);
    expect(capped.body).toEqual(problems().usage_capped);
    expect(rate(capped.headers).remaining).toBeGreaterThan(0);
    emu.advanceClock(5000);
    expect((await getApi(emu, '/2/tweets/search/recent?query=the')).status).toBe(429);
    const usage = await getApi(emu, '/2/usage/tweets');
    expect(usage.status).toBe(200);
    expect(usage.body.data.project_cap).toBe('25');
    expect(usage.body.data.project_usage).toBe(String(20 + b.body.meta.result_count));
    emu.setLimits({ usageCap: 10_000_000 });
  });

  it('usage/tweets reflects the posts served, per day', async () => {
    await getApi(emu, `/2/tweets/search/recent?${qs({ query: 'the', max_results: 13 })}`);
    await getApi(emu, `/2/users/${userId}/tweets?${qs({ max_results: 7 })}`);
    const { body } = await getApi(emu, '/2/usage/tweets?days=2');
    expect(body.data.project_usage).toBe('20');
    expect(body.data.daily_project_usage.usage).toEqual([
      { date: '2026-08-06T00:00:00.000Z', usage: 0 },
      { date: '2026-08-07T00:00:00.000Z', usage: 20 },
    ]);
  });
});
