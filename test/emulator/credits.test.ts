import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../emulator/cli-args.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { getApi, qs } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const search = (extra: Record<string, string | number | undefined> = {}) =>
  `/2/tweets/search/recent?${qs({ query: 'the', max_results: 20, ...extra })}`;

async function raw(emu: RunningEmulator, path: string) {
  const res = await fetch(emu.url + path, { headers: { authorization: 'Bearer t' } });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('emulator pay-per-use credits', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 8, posts: 600, frozenClock: true, now: NOW, credits: 30 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('answers the 402 CreditsDepleted problem once the balance in posts is spent', async () => {
    // Prepare: 30 credits; two different pages of 20 posts each.
    const first = await getApi(emu, search());
    expect(first.status).toBe(200);
    expect(emu.credits()).toBe(10);
    const second = await getApi(emu, search({ next_token: first.body.meta.next_token }));
    expect(second.status).toBe(200);
    expect(emu.credits()).toBe(0);
    // Act
    const depleted = await raw(emu, search({ until_id: second.body.meta.oldest_id }));
    // Assess: the real shape (title CreditsDepleted, a ~185-byte problem body)
    expect(depleted.status).toBe(402);
    expect(depleted.body.title).toBe('CreditsDepleted');
    expect(typeof depleted.body.type).toBe('string');
    expect(typeof depleted.body.detail).toBe('string');
    expect(depleted.text.length).toBeGreaterThan(150);
    expect(depleted.text.length).toBeLessThan(220);
    // User reads are billed too ($0.010 each): 402; the usage report still answers.
    const user = emu.users()[0]!.username;
    expect((await raw(emu, `/2/users/by/username/${user}`)).status).toBe(402);
    expect((await raw(emu, '/2/usage/tweets')).status).toBe(200);
    expect(emu.requestLog().map((r) => r.status)).toEqual([200, 200, 402, 402, 200]);
  });

  it('does not bill a post read again the same UTC day, and bills it again after midnight', async () => {
    await getApi(emu, search());
    await getApi(emu, search()); // the same 20 posts: free
    expect(emu.credits()).toBe(10);
    const usage = await getApi(emu, '/2/usage/tweets?days=2');
    expect(usage.body.data.project_usage).toBe('20');
    expect(emu.requestLog().map((r) => r.billed)).toEqual([20, 0, 0]);
    emu.setCredits({ balance: 100 });
    emu.setClock(Date.UTC(2026, 7, 8, 0, 0, 5)); // the next UTC day
    await getApi(emu, search({ end_time: '2026-08-07T12:00:00Z' }));
    expect(emu.credits()).toBe(80);
    const after = await getApi(emu, '/2/usage/tweets?days=2');
    expect(after.body.data.daily_project_usage.usage).toEqual([
      { date: '2026-08-07T00:00:00.000Z', usage: 20 },
      { date: '2026-08-08T00:00:00.000Z', usage: 20 },
    ]);
  });

  it('takes a top-up through the admin API and serves again', async () => {
    emu.setCredits({ balance: 0 });
    expect((await raw(emu, search())).status).toBe(402);
    const topUp = await fetch(`${emu.url}/_emulator/credits`, {
      method: 'POST',
      body: JSON.stringify({ add: 1500 }),
    });
    expect(await topUp.json()).toEqual({ balance: 1500 });
    expect((await getApi(emu, search())).status).toBe(200);
    const balance = await (await fetch(`${emu.url}/_emulator/credits`)).json();
    expect(balance).toEqual({ balance: 1480 });
    const bad = await fetch(`${emu.url}/_emulator/credits`, {
      method: 'POST',
      body: JSON.stringify({ add: -5 }),
    });
    expect(bad.status).toBe(400);
  });

  it('is unlimited without credits, and --credits N sets the balance', async () => {
    const free = await startEmulator({ seed: 8, posts: 100, frozenClock: true, now: NOW });
    try {
      expect(free.credits()).toBeUndefined();
      expect((await getApi(free, search())).status).toBe(200);
    } finally {
      await free.close();
    }
    expect(parseCliArgs(['--credits', '1500']).options.credits).toBe(1500);
    expect(() => parseCliArgs(['--credits', 'lots'])).toThrow(/--credits must be an integer >= 0/);
  });
});
