import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { collectAll, getApi, qs } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);

describe('user timelines and mentions', () => {
  let emu: RunningEmulator;
  let top: { id: string; posts: number; mentions: number };

  beforeAll(async () => {
    // Few users, many posts: the top user exceeds the 3,200 / 800 depth limits.
    emu = await startEmulator({ seed: 12, posts: 12_000, users: 3, frozenClock: true, now: NOW });
    top = emu.users().sort((a, b) => b.posts - a.posts)[0]!;
  });
  afterAll(() => emu.close());

  it('only the 3,200 newest posts are reachable, 800 with exclude=replies', async () => {
    expect(top.posts).toBeGreaterThan(3200);
    const all = emu.groundTruth({ endpoint: 'user_tweets', user_id: top.id });
    expect(all).toHaveLength(3200);
    const noReplies = emu.groundTruth({ endpoint: 'user_tweets', user_id: top.id, exclude: 'replies' });
    expect(noReplies).toHaveLength(800);
    const { ids } = await collectAll(
      emu,
      `/2/users/${top.id}/tweets`,
      { max_results: 100, exclude: 'replies' },
      'pagination_token',
    );
    expect(ids).toEqual(noReplies);
  });

  it('only the 800 newest mentions are reachable', () => {
    const mentioned = emu.users().sort((a, b) => b.mentions - a.mentions)[0]!;
    expect(mentioned.mentions).toBeGreaterThan(800);
    expect(emu.groundTruth({ endpoint: 'user_mentions', user_id: mentioned.id })).toHaveLength(800);
  });

  it('exclude=retweets drops retweets; exclude values are validated', async () => {
    const { body } = await getApi(
      emu,
      `/2/users/${top.id}/tweets?${qs({ exclude: 'retweets', max_results: 100 })}`,
    );
    expect(body.data.every((t: { text: string }) => !t.text.startsWith('RT @'))).toBe(true);
    const bad = await getApi(emu, `/2/users/${top.id}/tweets?exclude=quotes`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].message).toBe(
      'The `exclude` query parameter value [quotes] is not one of [replies,retweets]',
    );
  });

  it('pages after the first carry previous_token, which leads back to the newer page', async () => {
    const path = `/2/users/${top.id}/tweets`;
    const first = await getApi(emu, `${path}?${qs({ max_results: 7 })}`);
    expect(first.body.meta.previous_token).toBeUndefined();
    const second = await getApi(
      emu,
      `${path}?${qs({ max_results: 7, pagination_token: first.body.meta.next_token })}`,
    );
    expect(second.body.meta.previous_token).toEqual(expect.any(String));
    const back = await getApi(
      emu,
      `${path}?${qs({ max_results: 7, pagination_token: second.body.meta.previous_token })}`,
    );
    expect(back.body.data).toEqual(first.body.data);
    expect(back.body.meta.next_token).toEqual(expect.any(String));
  });

  it('an unknown user id is HTTP 200 with only a resource-not-found error', async () => {
    const { status, body } = await getApi(emu, '/2/users/12345/tweets');
    expect(status).toBe(200);
    expect(body.errors[0]).toMatchObject({ parameter: 'id', value: '12345', resource_type: 'user' });
    expect(Object.keys(body)).toEqual(['errors']);
  });

  it('timelines accept since_id with start_time (since_id takes precedence)', async () => {
    const truth = emu.groundTruth({ endpoint: 'user_tweets', user_id: top.id });
    const since = truth[10]!;
    const { status, body } = await getApi(
      emu,
      `/2/users/${top.id}/tweets?${qs({ since_id: since, start_time: '2020-01-01T00:00:00Z', max_results: 100 })}`,
    );
    expect(status).toBe(200);
    expect(body.data.map((t: { id: string }) => t.id)).toEqual(truth.slice(0, 10));
  });
});
