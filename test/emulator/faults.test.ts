import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultKind, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { collectAll, expectSchemaValid, fixture, getApi, rawGet } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const AUTH = { authorization: 'Bearer t' };
const SEARCH = '/2/tweets/search/recent?query=the&max_results=20';

describe('fault injection', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 9, posts: 800, frozenClock: true, now: NOW });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it.each([
    ['500', 500, 'Internal Server Error'],
    ['502', 502, 'Bad Gateway'],
    ['503', 503, 'Service Unavailable'],
    ['504', 504, 'Gateway Timeout'],
  ] as const)(
    'scripted %s answers a problem+json body with type about:blank',
    async (fault, status, title) => {
      emu.setFaults({ scripted: [{ at: 2, fault }] });
      expect((await getApi(emu, SEARCH)).status).toBe(200);
      const hit = await getApi(emu, SEARCH);
      expect(hit.status).toBe(status);
      expect(hit.body).toEqual({ title, detail: title, type: 'about:blank', status });
      expect((await getApi(emu, SEARCH)).status).toBe(200);
    },
  );

  it('the 503 body is the real one', async () => {
    emu.setFaults({ scripted: [{ at: 1, fault: '503' }] });
    const res = await fetch(emu.url + SEARCH, { headers: AUTH });
    expect(await res.json()).toEqual(
      fixture<Record<string, unknown>>('problems-real.json').service_unavailable,
    );
  });

  it.each(['html-502', 'html-503'] as const)('%s answers an HTML proxy page', async (fault) => {
    emu.setFaults({ scripted: [{ at: 1, fault }] });
    const reply = await rawGet(emu.url + SEARCH, AUTH);
    expect(reply.status).toBe(fault === 'html-502' ? 502 : 503);
    expect(reply.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body?.toString()).toMatch(/^<html>/);
  });

  it('429 fault answers the real 429 body with remaining 0', async () => {
    emu.setFaults({ scripted: [{ at: 1, fault: '429' }] });
    const hit = await getApi(emu, SEARCH);
    expect(hit.status).toBe(429);
    expect(hit.body).toEqual(fixture<Record<string, unknown>>('problems-real.json').too_many_requests);
    expect(hit.headers.get('x-rate-limit-remaining')).toBe('0');
  });

  it('reset destroys the connection without a response', async () => {
    emu.setFaults({ scripted: [{ at: 1, fault: 'reset' }] });
    const reply = await rawGet(emu.url + SEARCH, AUTH);
    expect(reply.status).toBeUndefined();
    expect(reply.error).toMatch(/socket hang up|ECONNRESET/);
  });

  it('truncated sends half the announced body, then drops the connection', async () => {
    emu.setFaults({ scripted: [{ at: 1, fault: 'truncated' }] });
    const reply = await rawGet(emu.url + SEARCH, AUTH);
    expect(reply.status).toBe(200);
    expect(reply.error).toBe('aborted');
  });

  it('invalid-json answers 200 with a body that does not parse', async () => {
    emu.setFaults({ scripted: [{ at: 1, fault: 'invalid-json' }] });
    const res = await fetch(emu.url + SEARCH, { headers: AUTH });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('hang holds the request (no answer before the client gives up) and close() still returns', async () => {
    const hanging = await startEmulator({
      posts: 50,
      faults: {
        scripted: [
          { at: 1, fault: 'hang' },
          { at: 2, fault: 'hang' },
        ],
      },
    });
    const reply = await rawGet(`${hanging.url}${SEARCH}`, AUTH, 300);
    expect(reply.error).toBe('timeout');
    const pending = rawGet(`${hanging.url}${SEARCH}`, AUTH, 60_000);
    expect((await rawGet(`${hanging.url}${SEARCH}`, AUTH)).status).toBe(200);
    await hanging.close();
    const held = await pending;
    expect(held.status).toBeUndefined();
    expect(held.error).toMatch(/socket hang up|ECONNRESET/);
  });

  it('short-page returns fewer items with a next_token; empty-page returns none with a next_token', async () => {
    emu.setFaults({
      scripted: [
        { at: 1, fault: 'short-page' },
        { at: 2, fault: 'empty-page' },
      ],
    });
    const short = await getApi(emu, SEARCH);
    expect(short.body.data.length).toBe(10);
    expect(short.body.meta.next_token).toBeDefined();
    const empty = await getApi(emu, SEARCH);
    expect(empty.body.data).toBeUndefined();
    expect(empty.body.meta).toEqual({ result_count: 0, next_token: empty.body.meta.next_token });
    expect(empty.body.meta.next_token).toEqual(expect.any(String));
  });

  it('path/nth/count rules hit only the matching requests', async () => {
    emu.setFaults({ scripted: [{ path: '/2/users/', nth: 2, count: 2, fault: '503' }] });
    const user = emu.users()[0]!.id;
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) {
      statuses.push((await getApi(emu, `/2/users/${user}/tweets`)).status);
      statuses.push((await getApi(emu, SEARCH)).status);
    }
    expect(statuses).toEqual([200, 200, 503, 200, 503, 200, 200, 200, 200, 200]);
    expect(emu.statusCounts()).toEqual({ 200: 8, 503: 2 });
    expect(
      emu
        .requestLog()
        .filter((e) => e.fault === '503')
        .map((e) => e.seq),
    ).toEqual([3, 5]);
  });

  it('random faults are reproducible for a seed and never lose posts for a client that retries', async () => {
    const kinds: FaultKind[] = ['500', '503', 'short-page', 'empty-page', '429'];
    const run = async () => {
      emu.reset();
      emu.setFaults({ rate: 0.3, kinds, seed: 42 });
      const ids: string[] = [];
      const statuses: number[] = [];
      let token: string | undefined;
      for (let n = 0; n < 500; n++) {
        const url = `${SEARCH}${token ? `&next_token=${token}` : ''}`;
        const r = await getApi(emu, url);
        statuses.push(r.status);
        if (r.status !== 200) continue;
        ids.push(...((r.body.data ?? []) as { id: string }[]).map((t) => t.id));
        token = r.body.meta.next_token;
        if (token === undefined) break;
      }
      return { ids, statuses };
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.statuses.some((s) => s !== 200)).toBe(true);
    expect(first.ids).toEqual(emu.groundTruth({ endpoint: 'search_recent', query: 'the' }));
  });

  it('fault bodies validate against the schema', async () => {
    for (const fault of ['500', '502', '503', '504'] as const) {
      emu.setFaults({ scripted: [{ at: 1, fault }] });
      const res = await fetch(emu.url + SEARCH, { headers: AUTH });
      expectSchemaValid('/2/tweets/search/recent', res.status, await res.json());
    }
  });

  it('gzip is used when the client accepts it', async () => {
    const reply = await rawGet(emu.url + SEARCH, { ...AUTH, 'accept-encoding': 'gzip, deflate' });
    expect(reply.headers?.['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(reply.body!).toString());
    expect(body.meta.result_count).toBe(20);
    const plain = await rawGet(emu.url + SEARCH, AUTH);
    expect(plain.headers?.['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body!.toString())).toEqual(body);
  });

  it('a client paging through scripted short pages still reaches every post', async () => {
    emu.setFaults({
      scripted: [{ path: '/2/tweets/search/recent', nth: 1, count: 50, fault: 'short-page' }],
    });
    const { ids } = await collectAll(
      emu,
      '/2/tweets/search/recent',
      { query: 'the', max_results: 20 },
      'next_token',
    );
    expect(ids).toEqual(emu.groundTruth({ endpoint: 'search_recent', query: 'the' }));
  });
});
