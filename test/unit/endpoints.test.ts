import { describe, expect, it } from 'vitest';
import { pageRequest, pageSize, userLookupRequest } from '../../src/core/endpoints.js';
import type { StreamSpec } from '../../src/core/stream.js';

const spec = (source: StreamSpec['source']): StreamSpec => ({
  name: 's',
  source,
  tweetFields: ['created_at', 'author_id'],
  userFields: ['username'],
  expansions: ['author_id'],
  initial: { kind: 'now' },
  overlapSeconds: 0,
});
const query = { sinceId: '100', untilId: '200', maxResults: 100, token: 'tok' };

describe('pageSize', () => {
  it.each([
    ['search_recent', 1000, 100],
    ['search_recent', 37, 37],
    ['search_recent', 3, 10],
    ['search_all', 1000, 500],
    ['search_all', 250, 250],
    ['user_tweets', 2, 5],
    ['user_tweets', 1000, 100],
    ['user_mentions', 1000, 100],
  ] as const)('%s with %i posts left in the budget asks for %i', (endpoint, remaining, expected) => {
    expect(pageSize(endpoint, remaining)).toBe(expected);
  });
});

describe('pageRequest', () => {
  it('builds a recent search with next_token and the fields', () => {
    const req = pageRequest(spec({ kind: 'search', query: 'cats', archive: false }), undefined, query);
    expect(req).toEqual({
      endpoint: 'search_recent',
      path: '/2/tweets/search/recent',
      params: {
        query: 'cats',
        max_results: '100',
        since_id: '100',
        until_id: '200',
        next_token: 'tok',
        'tweet.fields': 'created_at,author_id',
        'user.fields': 'username',
        expansions: 'author_id',
      },
    });
  });

  it('uses search/all for archive streams', () => {
    const req = pageRequest(spec({ kind: 'search', query: 'cats', archive: true }), undefined, query);
    expect([req.endpoint, req.path]).toEqual(['search_all', '/2/tweets/search/all']);
  });

  it('uses pagination_token and exclude on timelines', () => {
    const req = pageRequest(
      spec({ kind: 'timeline', user: 'jack', exclude: ['replies', 'retweets'] }),
      '12',
      query,
    );
    expect(req.path).toBe('/2/users/12/tweets');
    expect(req.params.pagination_token).toBe('tok');
    expect(req.params.next_token).toBeUndefined();
    expect(req.params.exclude).toBe('replies,retweets');
  });

  it('leaves out until_id and token on the first page of a new sweep', () => {
    const req = pageRequest(spec({ kind: 'mentions', user: '12' }), '12', {
      ...query,
      untilId: undefined,
      token: undefined,
    });
    expect(req.path).toBe('/2/users/12/mentions');
    expect(req.params).not.toHaveProperty('until_id');
    expect(req.params).not.toHaveProperty('pagination_token');
  });

  it('refuses to build a timeline request without a resolved user id', () => {
    expect(() => pageRequest(spec({ kind: 'mentions', user: 'jack' }), undefined, query)).toThrow(
      /not resolved/,
    );
  });

  it('looks a username up without its @', () => {
    expect(userLookupRequest('@jack').path).toBe('/2/users/by/username/jack');
  });
});
