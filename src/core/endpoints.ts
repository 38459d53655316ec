/** How a stream's source becomes requests: paths, parameters and the page sizes each endpoint allows. */
import { type ApiRequest, Endpoint, type EndpointName } from './ports/x-api.js';
import type { StreamSource, StreamSpec } from './stream.js';

/** Page sizes (`max_results`) each paged endpoint accepts. */
export const PAGE_SIZE_LIMITS = {
  [Endpoint.searchRecent]: { min: 10, max: 100 },
  [Endpoint.searchAll]: { min: 10, max: 500 },
  [Endpoint.userTweets]: { min: 5, max: 100 },
  [Endpoint.userMentions]: { min: 5, max: 100 },
} as const;
/** An endpoint that returns pages of posts. */
export type PagedEndpoint = keyof typeof PAGE_SIZE_LIMITS;

/** Recent search only sees the last 7 days. */
export const RECENT_SEARCH_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Kept inside the 7-day window so a request is not refused because a minute passed on the way. */
export const RECENT_WINDOW_MARGIN_MS = 60_000;
/**
 * A sweep's since_id counts as overtaken by the window once it is less than this far inside the edge:
 * room for the request's own latency and a little clock skew.
 */
export const RECENT_EDGE_SLACK_MS = 10_000;

/** The paged endpoint a stream's source reads. */
export function pagedEndpoint(source: StreamSource): PagedEndpoint {
  switch (source.kind) {
    case 'search':
      return source.archive ? Endpoint.searchAll : Endpoint.searchRecent;
    case 'timeline':
      return Endpoint.userTweets;
    case 'mentions':
      return Endpoint.userMentions;
  }
}

/**
 * `max_results` for the next page: the endpoint's largest page, unless fewer posts remain in the
 * run's budget. Every post returned is billed, and posts read past the budget would be read (and
 * billed) again next run, so we ask only for what we can deliver, but never below the endpoint minimum.
 */
export function pageSize(endpoint: PagedEndpoint, remainingBudget: number): number {
  const { min, max } = PAGE_SIZE_LIMITS[endpoint];
  return Math.min(max, Math.max(min, Math.floor(remainingBudget)));
}

/** True for a source that needs a user id (timelines, mentions). */
export function needsUser(source: StreamSource): source is Extract<StreamSource, { user: string }> {
  return source.kind === 'timeline' || source.kind === 'mentions';
}

/** The user lookup request for a username (a leading `@` is dropped). */
export function userLookupRequest(username: string): ApiRequest {
  const name = username.replace(/^@/, '');
  return {
    endpoint: Endpoint.userByUsername,
    path: `/2/users/by/username/${encodeURIComponent(name)}`,
    params: {},
  };
}

/** Bounds, size and cursor of one page request. */
export interface PageQuery {
  readonly sinceId: string;
  readonly untilId: string | undefined;
  readonly maxResults: number;
  readonly token: string | undefined;
}

/** One page request of a stream. `userId` is required for timelines and mentions. */
export function pageRequest(spec: StreamSpec, userId: string | undefined, query: PageQuery): ApiRequest {
  const endpoint: EndpointName = pagedEndpoint(spec.source);
  const params: Record<string, string> = { max_results: String(query.maxResults), since_id: query.sinceId };
  if (query.untilId !== undefined) params.until_id = query.untilId;
  if (spec.tweetFields.length > 0) params['tweet.fields'] = spec.tweetFields.join(',');
  if (spec.userFields.length > 0) params['user.fields'] = spec.userFields.join(',');
  if (spec.expansions.length > 0) params.expansions = spec.expansions.join(',');
  const source = spec.source;
  if (source.kind === 'search') {
    params.query = source.query;
    if (query.token !== undefined) params.next_token = query.token;
    const path = source.archive ? '/2/tweets/search/all' : '/2/tweets/search/recent';
    return { endpoint, path, params };
  }
  if (userId === undefined) throw new Error(`stream ${spec.name}: user id not resolved`);
  // Timelines only accept pagination_token.
  if (query.token !== undefined) params.pagination_token = query.token;
  if (source.kind === 'timeline' && source.exclude.length > 0) params.exclude = source.exclude.join(',');
  const path = `/2/users/${userId}/${source.kind === 'timeline' ? 'tweets' : 'mentions'}`;
  return { endpoint, path, params };
}
