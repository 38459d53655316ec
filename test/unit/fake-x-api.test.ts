import { describe, expect, it } from 'vitest';
import { FakeXApi } from '../support/fake-x-api.js';
import { ManualClock } from '../support/manual-clock.js';

type Page = { data?: { id: string }[]; meta: { next_token?: string; result_count: number } };

async function page(api: FakeXApi, params: Record<string, string>): Promise<Page> {
  const res = await api.get<Page>({ endpoint: 'search_recent', path: '/2/tweets/search/recent', params });
  return res.body;
}

describe('FakeXApi', () => {
  const api = new FakeXApi(new ManualClock(), ['5', '30', '100', '7', '1000', '9']);

  it('returns ids newest first (numerically) within (since_id, until_id)', async () => {
    const body = await page(api, { since_id: '6', until_id: '1000', max_results: '10' });
    expect(body.data?.map((t) => t.id)).toEqual(['100', '30', '9', '7']);
    expect(body.meta.next_token).toBeUndefined();
  });

  it('pages with next_token and max_results', async () => {
    const first = await page(api, { since_id: '1', max_results: '4' });
    expect(first.data?.map((t) => t.id)).toEqual(['1000', '100', '30', '9']);
    const second = await page(api, { since_id: '1', max_results: '4', next_token: first.meta.next_token! });
    expect(second.data?.map((t) => t.id)).toEqual(['7', '5']);
    expect(second.meta.next_token).toBeUndefined();
  });

  it('answers an empty range with only meta', async () => {
    expect(await page(api, { since_id: '1000' })).toEqual({ meta: { result_count: 0 } });
  });
});
