import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msFromId, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { expectSchemaValid, fixture, getApi, type Json, qs } from './helpers.js';

type Recorded = { body: Json }[];

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const ALL_TWEET_FIELDS =
  'author_id,conversation_id,created_at,edit_controls,edit_history_tweet_ids,entities,in_reply_to_user_id,lang,' +
  'possibly_sensitive,public_metrics,referenced_tweets,reply_settings,source,context_annotations,attachments';
const ALL_USER_FIELDS =
  'created_at,description,location,protected,public_metrics,url,verified,profile_image_url';
const EXPANSIONS = 'author_id,referenced_tweets.id,in_reply_to_user_id,entities.mentions.username';

function jsonType(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Union of key -> JSON type over objects. */
function keyTypes(items: readonly Json[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const item of items) {
    for (const [k, v] of Object.entries(item)) {
      const set = out.get(k) ?? new Set<string>();
      set.add(jsonType(v));
      out.set(k, set);
    }
  }
  return out;
}

function expectShapeWithin(emulated: readonly Json[], real: readonly Json[], what: string): void {
  const realTypes = keyTypes(real);
  for (const [key, types] of keyTypes(emulated)) {
    expect(realTypes.has(key), `${what}: key '${key}' appears in real traffic`).toBe(true);
    for (const t of types) expect([...(realTypes.get(key) ?? [])], `${what}: type of '${key}'`).toContain(t);
  }
}

describe('emulator responses against the official schema and recorded traffic', () => {
  let emu: RunningEmulator;
  let user: { id: string; username: string };

  beforeAll(async () => {
    emu = await startEmulator({ seed: 3, posts: 3000, frozenClock: true, now: NOW, searchAllPerSecond: 0 });
    user = emu.users().sort((a, b) => b.posts + b.mentions - (a.posts + a.mentions))[0]!;
  });
  afterAll(() => emu.close());

  const recordedTweepy = () => ({
    search: fixture<Recorded>('tweepy-search-recent-tweets.json')[0]!.body,
    timeline: fixture<Recorded>('tweepy-get-users-tweets.json')[0]!.body,
    mentions: fixture<Recorded>('tweepy-get-users-mentions.json')[0]!.body,
    user: fixture<Recorded>('tweepy-get-user.json')[0]!.body,
  });

  it.each([
    ['/2/tweets/search/recent', { query: 'the OR #news OR @x' }],
    ['/2/tweets/search/all', { query: 'the OR news' }],
    ['USER/tweets', {}],
    ['USER/mentions', {}],
  ])('%s with every field validates and matches recorded key sets and types', async (path, extra) => {
    const p = path.replace('USER', `/2/users/${user.id}`);
    const params = {
      ...extra,
      max_results: 50,
      'tweet.fields': ALL_TWEET_FIELDS,
      'user.fields': ALL_USER_FIELDS,
      expansions: EXPANSIONS,
    };
    const { status, body } = await getApi(emu, `${p}?${qs(params)}`);
    expect(status).toBe(200);
    expect(body.data.length).toBeGreaterThan(0);
    const twarc = fixture<Json>('twarc-search-recent-trimmed.json');
    const edited = fixture<Json>('twarc-edited.json');
    const realTweets = [...twarc.data, ...twarc.includes.tweets, ...edited.data];
    expectShapeWithin(body.data, realTweets, 'data[]');
    expectShapeWithin(
      body.includes.users,
      [...twarc.includes.users, ...edited.includes.users],
      'includes.users[]',
    );
    expectShapeWithin([body.meta], [twarc.meta, { previous_token: 'x' }], 'meta');
    const includedUsers = new Set((body.includes.users as Json[]).map((u) => u.id));
    for (const t of body.data as Json[]) expect(includedUsers.has(t.author_id)).toBe(true);
    const referenced = (body.data as Json[]).flatMap((t) =>
      (t.referenced_tweets ?? []).map((r: Json) => r.id),
    );
    expect(referenced.length).toBeGreaterThan(0);
    expect(new Set((body.includes.tweets as Json[]).map((t) => t.id))).toEqual(new Set(referenced));
    for (const t of body.data as Json[]) {
      expect(t.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(Math.floor(msFromId(BigInt(t.id)) / 1000) * 1000).toBe(Date.parse(t.created_at));
      expect(t.edit_history_tweet_ids.at(-1)).toBe(t.id);
    }
  });

  it.each([
    ['a numeric id', { data: [{ id: 1, text: 'x', edit_history_tweet_ids: ['1'] }] }, 200],
    ['an empty data array', { data: [], meta: { result_count: 0 } }, 200],
    ['a problem without title', { type: 'about:blank', status: 503 }, 503],
    [
      'an invalid-request error with a non-array parameter',
      {
        ...fixture<Json>('problems-real.json').invalid_request,
        errors: [{ parameters: { q: 'x' }, message: 'm' }],
      },
      400,
    ],
  ])('the schema check rejects %s (it can fail)', (_label, body, status) => {
    expect(() => expectSchemaValid('/2/tweets/search/recent', status, body)).toThrow();
  });

  it('recorded real bodies pass the same schema check', () => {
    const recorded = fixture<Recorded>('tweepy-search-recent-tweets.json')[0]!.body;
    expectSchemaValid('/2/tweets/search/recent', 200, recorded);
    const problems = fixture<Record<string, Json>>('problems-real.json');
    expectSchemaValid('/2/tweets/search/recent', 401, problems.unauthorized);
    expectSchemaValid('/2/tweets/search/recent', 429, problems.usage_capped);
    expectSchemaValid('/2/tweets/search/recent', 400, problems.invalid_request);
  });

  it('default fields are exactly id, text, edit_history_tweet_ids, as recorded', async () => {
    const real = recordedTweepy();
    const search = await getApi(emu, `/2/tweets/search/recent?${qs({ query: 'the' })}`);
    const timeline = await getApi(emu, `/2/users/${user.id}/tweets`);
    const mentions = await getApi(emu, `/2/users/${user.id}/mentions`);
    for (const [ours, theirs] of [
      [search.body, real.search],
      [timeline.body, real.timeline],
      [mentions.body, real.mentions],
    ] as const) {
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      for (const t of ours.data as Json[])
        expect(Object.keys(t).sort()).toEqual(Object.keys(theirs.data[0]).sort());
      expect(Object.keys(ours.meta).sort()).toEqual(Object.keys(theirs.meta).sort());
    }
  });

  it('user lookup matches the recorded shape; user.fields validate', async () => {
    const plain = await getApi(emu, `/2/users/by/username/${user.username}`);
    expect(Object.keys(plain.body.data).sort()).toEqual(Object.keys(recordedTweepy().user.data).sort());
    const full = await getApi(
      emu,
      `/2/users/by/username/${user.username.toUpperCase()}?${qs({ 'user.fields': ALL_USER_FIELDS })}`,
    );
    expect(full.body.data.id).toBe(user.id);
    const twarc = fixture<Json>('twarc-search-recent-trimmed.json');
    expectShapeWithin([full.body.data], twarc.includes.users, 'user');
  });

  it('an empty result is exactly {"meta":{"result_count":0}}', async () => {
    const res = await fetch(`${emu.url}/2/tweets/search/recent?query=zzzznothing`, {
      headers: { authorization: 'Bearer t' },
    });
    expect(await res.text()).toBe('{"meta":{"result_count":0}}');
  });

  it('usage/tweets validates and reports cap and usage as strings, as real traffic does', async () => {
    const { body } = await getApi(emu, '/2/usage/tweets');
    expect(typeof body.data.project_cap).toBe('string');
    expect(typeof body.data.project_usage).toBe('string');
    expect(Number(body.data.project_usage)).toBeGreaterThan(0);
  });

  it('headers are lowercase with json content type, a date and epoch-second rate-limit headers', async () => {
    const res = await fetch(`${emu.url}/2/tweets/search/recent?query=the`, {
      headers: { authorization: 'Bearer h' },
    });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Date.parse(res.headers.get('date') ?? '')).not.toBeNaN();
    expect(Number(res.headers.get('x-rate-limit-reset'))).toBe(Math.ceil((NOW + 900_000) / 1000));
    expect(res.headers.get('x-rate-limit-limit')).toBe('450');
    expect(res.headers.get('x-rate-limit-remaining')).toBe('449');
  });
});
