import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromMs, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixture, getApi, type Json, qs } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 11, 45, 50, 444);
const WEEK = 7 * 86_400_000;
const INVALID = 'https://api.twitter.com/2/problems/invalid-request';

describe('request validation answers the real 400 invalid-request bodies', () => {
  let emu: RunningEmulator;
  let userId: string;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 5, posts: 500, frozenClock: true, now: NOW, searchAllPerSecond: 0 });
    userId = emu.users()[0]!.id;
  });
  afterAll(() => emu.close());

  it.each([
    ['/2/tweets/search/recent', 9, 'is not between 10 and 100'],
    ['/2/tweets/search/recent', 101, 'is not between 10 and 100'],
    ['/2/tweets/search/all', 501, 'is not between 10 and 500'],
    ['/2/tweets/search/all', 'abc', 'is not between 10 and 500'],
    ['USER/tweets', 4, 'is not between 5 and 100'],
    ['USER/mentions', 101, 'is not between 5 and 100'],
  ])('%s max_results=%s is a 400', async (path, max, message) => {
    const p = path.replace('USER', `/2/users/${userId}`);
    const query = p.includes('search') ? { query: 'the' } : {};
    const { status, body } = await getApi(emu, `${p}?${qs({ ...query, max_results: max })}`);
    expect(status).toBe(400);
    expect(body.type).toBe(INVALID);
    expect(body.errors[0].message).toBe(`The \`max_results\` query parameter value [${max}] ${message}`);
    expect(body.errors[0].parameters).toEqual({ max_results: [String(max)] });
  });

  it.each([
    ['search/recent', 10],
    ['search/recent', 100],
    ['search/all', 500],
  ])('%s accepts max_results=%i', async (path, max) => {
    const { status } = await getApi(emu, `/2/tweets/${path}?${qs({ query: 'the', max_results: max })}`);
    expect(status).toBe(200);
  });

  it('a since_id older than the 7-day window gets the exact real message', async () => {
    const stale = idFromMs(NOW - WEEK - 60_000).toString();
    const { status, body } = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', since_id: stale })}`,
    );
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe(
      "'since_id' must be a tweet id created after 2026-07-31T11:45Z. Please use a 'since_id' that is larger than 2083157183716917248",
    );
    expect(body).toEqual({
      ...fixture<Json>('problems-real.json').invalid_request,
      errors: [{ ...body.errors[0] }],
    });
    const suggested = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', since_id: '2083157183716917248' })}`,
    );
    expect(suggested.status).toBe(200);
  });

  it('search/all accepts an old since_id', async () => {
    const old = idFromMs(NOW - 60 * 86_400_000).toString();
    const { status, body } = await getApi(emu, `/2/tweets/search/all?${qs({ query: 'the', since_id: old })}`);
    expect(status).toBe(200);
    expect(body.data.length).toBeGreaterThan(0);
  });

  it.each([
    [
      { end_time: new Date(NOW - 5_000).toISOString() },
      'end_time',
      "'end_time' must be a minimum of 10 seconds prior to the request time.",
    ],
    [
      { start_time: '2026-07-31T11:40:00Z' },
      'start_time',
      "'start_time' must be on or after 2026-07-31T11:45Z",
    ],
    [
      { since_id: idFromMs(NOW - 3_600_000).toString(), start_time: '2026-08-07T10:00:00Z' },
      'since_id',
      "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'.",
    ],
    [
      { until_id: idFromMs(NOW - 3_600_000).toString(), end_time: '2026-08-07T10:00:00Z' },
      'until_id',
      "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'.",
    ],
    [
      { start_time: 'yesterday' },
      'start_time',
      "Invalid 'start_time':'yesterday'. 'start_time' must be a valid RFC 3339 date-time",
    ],
    [
      { since_id: '12x' },
      'since_id',
      'The `since_id` query parameter value [12x] does not match ^[0-9]{1,19}$',
    ],
    [
      { foo: 'bar' },
      'foo',
      'The query parameter [foo] is not one of [query,start_time,end_time,since_id,until_id,max_results,next_token,pagination_token,sort_order,expansions,tweet.fields,media.fields,poll.fields,user.fields,place.fields]',
    ],
    [
      { 'tweet.fields': 'id,nope' },
      'tweet.fields',
      'The `tweet.fields` query parameter value [nope] is not one of',
    ],
    [{ next_token: 'zzz' }, 'next_token', 'The `next_token` query parameter value [zzz] is not valid'],
  ])('search/recent %j is a 400 naming %s', async (params, parameter, message) => {
    const { status, body } = await getApi(emu, `/2/tweets/search/recent?${qs({ query: 'the', ...params })}`);
    expect(status).toBe(400);
    expect(body.type).toBe(INVALID);
    expect(body.errors[0].message.startsWith(message)).toBe(true);
    expect(Object.keys(body.errors[0].parameters)).toContain(parameter);
  });

  it('start_time is inclusive and end_time exclusive (second granularity)', async () => {
    const all = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    const target = all[5]!;
    const sec = Math.floor((Number(BigInt(target) >> 22n) + 1288834974657) / 1000) * 1000;
    const iso = new Date(sec).toISOString().replace('.000Z', 'Z');
    const from = emu.groundTruth({ endpoint: 'search_recent', query: 'the', start_time: iso });
    const until = emu.groundTruth({ endpoint: 'search_recent', query: 'the', end_time: iso });
    expect(from).toContain(target);
    expect(until).not.toContain(target);
    const { body } = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', start_time: iso, max_results: 100 })}`,
    );
    expect(body.data.map((t: { id: string }) => t.id)).toContain(target);
  });

  it('since_id and until_id are exclusive', async () => {
    const all = emu.groundTruth({ endpoint: 'search_recent', query: 'the' });
    const [a, , c] = [all[2]!, all[3]!, all[4]!];
    const { body } = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', since_id: c, until_id: a })}`,
    );
    expect(body.data.map((t: { id: string }) => t.id)).toEqual([all[3]]);
  });

  it.each([
    ['has:media cat', "Reference to invalid operator 'has:media'"],
    ['url:example.com', "Reference to invalid operator 'url'"],
    ['(cat OR dog', "missing ')'"],
    ['cat OR', "no viable alternative at input '<EOF>'"],
    ['"unterminated', 'Unterminated quoted phrase'],
    ['-cat -dog', 'Rules must contain a non-negation term'],
    ['x'.repeat(513), 'Query is too long, must be no longer than 512 characters'],
  ])('query %s is a 400, never a silent empty result', async (query, message) => {
    const { status, body } = await getApi(emu, `/2/tweets/search/recent?${qs({ query })}`);
    expect(status).toBe(400);
    expect(body.errors[0].parameters).toEqual({ query: [query] });
    expect(body.errors[0].message).toContain(`There were errors processing your request: ${message}`);
  });

  it('a 512-character query is accepted', async () => {
    const query = `the ${'a'.repeat(508)}`;
    expect((await getApi(emu, `/2/tweets/search/recent?${qs({ query })}`)).status).toBe(200);
  });

  it('a missing query is a 400', async () => {
    const { status, body } = await getApi(emu, '/2/tweets/search/recent');
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe('The `query` query parameter can not be empty');
  });

  it('next_token and pagination_token together are a 400; pagination_token alone works on search', async () => {
    const first = await getApi(emu, `/2/tweets/search/recent?${qs({ query: 'the' })}`);
    const token = first.body.meta.next_token as string;
    const both = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', next_token: token, pagination_token: token })}`,
    );
    expect(both.status).toBe(400);
    const alone = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'the', pagination_token: token })}`,
    );
    expect(alone.status).toBe(200);
    expect(alone.body.data[0].id).not.toBe(first.body.data[0].id);
  });

  it('a next_token of another query is rejected', async () => {
    const first = await getApi(emu, `/2/tweets/search/recent?${qs({ query: 'the' })}`);
    const other = await getApi(
      emu,
      `/2/tweets/search/recent?${qs({ query: 'love', next_token: first.body.meta.next_token })}`,
    );
    expect(other.status).toBe(400);
  });

  it('an unknown username is HTTP 200 with only an errors array', async () => {
    const { status, body } = await getApi(emu, '/2/users/by/username/nobody_here_x');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['errors']);
    expect(body.errors[0]).toMatchObject({
      type: 'https://api.twitter.com/2/problems/resource-not-found',
      resource_type: 'user',
      parameter: 'username',
      value: 'nobody_here_x',
    });
  });

  it('a malformed username or user id is a 400', async () => {
    expect((await getApi(emu, '/2/users/by/username/has-dash')).status).toBe(400);
    expect((await getApi(emu, '/2/users/12ab/tweets')).status).toBe(400);
  });

  it('an unknown route is a 404 problem', async () => {
    const { status, body } = await getApi(emu, '/2/tweets/nope');
    expect(status).toBe(404);
    expect(body).toEqual({ title: 'Not Found', type: 'about:blank', status: 404, detail: 'Not Found' });
  });
});

describe('bearer authentication', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 6, posts: 100, tokens: ['good-token'] });
  });
  afterAll(() => emu.close());

  it.each([
    ['no header', null],
    ['a token not in the accepted list', 'bad-token'],
  ])('%s gets the real 401 body', async (_label, token) => {
    const { status, body, headers } = await getApi(emu, '/2/tweets/search/recent?query=the', token);
    expect(status).toBe(401);
    expect(body).toEqual(fixture<Record<string, unknown>>('problems-real.json').unauthorized);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('an accepted token gets 200', async () => {
    expect((await getApi(emu, '/2/tweets/search/recent?query=the', 'good-token')).status).toBe(200);
  });
});
