import {
  BadRequest,
  type EndpointKey,
  invalidParam,
  invalidRequest,
  readId,
  readList,
  readTime,
  userNotFound,
} from '../api/index.js';
import {
  idFromMs,
  isoMinute,
  msFromId,
  PostFlag,
  type PostStore,
  parseId,
  type UserStore,
} from '../world/index.js';
import { QuerySyntaxError } from './ast.js';
import { depthFloor, type IdBounds } from './paging.js';
import type { QueryCache } from './query-cache.js';

/**
 * What a selection reads of the live state (the admin's `EmulatorState` is one): the world, the
 * compiled queries, the search delay and which posts are visible yet.
 */
export interface SelectionSource {
  readonly world: { readonly posts: PostStore; readonly users: UserStore };
  readonly queries: QueryCache;
  readonly settings: { readonly searchDelayMs: number };
  /** True when post `i` is visible (indexed) at `now`. */
  visible(i: number, now: number): boolean;
}

/** What a paginated endpoint selects: a sorted candidate list, id bounds and a filter. */
export interface Selection {
  readonly list: readonly number[];
  readonly bounds: IdBounds;
  readonly accept: (i: number) => boolean;
  /** Binds pagination tokens to the endpoint and query or user. */
  readonly scope: string;
}

const DAY_MS = 86_400_000;
const MAX_ID = (1n << 63n) - 1n;
/** Earliest start_time of the full-archive search. */
export const ARCHIVE_START_MS = Date.UTC(2006, 2, 21);

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Selection of search/recent and search/all, with X's window rules and their exact errors. */
export function searchSelection(
  state: SelectionSource,
  endpoint: Extract<EndpointKey, 'search_recent' | 'search_all'>,
  params: Map<string, string>,
  now: number,
): Selection {
  const query = params.get('query');
  if (query === undefined || query === '') {
    throw new BadRequest(invalidParam('query', undefined, 'The `query` query parameter can not be empty'));
  }
  let list: readonly number[];
  try {
    list = state.queries.matching(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError)
      throw new BadRequest(invalidParam('query', query, error.apiMessage()));
    throw error;
  }
  const sinceId = readId(params, 'since_id');
  const untilId = readId(params, 'until_id');
  const start = readTime(params, 'start_time');
  const end = readTime(params, 'end_time');
  if ((sinceId !== undefined || untilId !== undefined) && (start !== undefined || end !== undefined)) {
    const parameters: Record<string, string[]> = {};
    for (const name of ['since_id', 'until_id', 'start_time', 'end_time']) {
      const v = params.get(name);
      if (v !== undefined) parameters[name] = [v];
    }
    throw new BadRequest(
      invalidRequest([
        {
          parameters,
          message: "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'.",
        },
      ]),
    );
  }
  const windowStart = endpoint === 'search_recent' ? now - 7 * DAY_MS : ARCHIVE_START_MS;
  if (start !== undefined && start < Math.floor(windowStart / 60_000) * 60_000) {
    throw new BadRequest(
      invalidParam(
        'start_time',
        params.get('start_time'),
        `'start_time' must be on or after ${isoMinute(windowStart)}`,
      ),
    );
  }
  if (end !== undefined && end > now - 10_000) {
    throw new BadRequest(
      invalidParam(
        'end_time',
        params.get('end_time'),
        "'end_time' must be a minimum of 10 seconds prior to the request time.",
      ),
    );
  }
  if (start !== undefined && end !== undefined && start >= end) {
    throw new BadRequest(
      invalidParam('start_time', params.get('start_time'), "'start_time' must be before 'end_time'."),
    );
  }
  if (endpoint === 'search_recent' && sinceId !== undefined && msFromId(sinceId) < windowStart) {
    throw new BadRequest(
      invalidParam(
        'since_id',
        params.get('since_id'),
        `'since_id' must be a tweet id created after ${isoMinute(windowStart)}. ` +
          `Please use a 'since_id' that is larger than ${idFromMs(windowStart)}`,
      ),
    );
  }
  const lo = maxBig(idFromMs(Math.max(windowStart, start ?? 0)), sinceId === undefined ? 0n : sinceId + 1n);
  const hi = minBig(idFromMs(end ?? now - state.settings.searchDelayMs), untilId ?? MAX_ID);
  return {
    list,
    bounds: { lo, hi },
    accept: (i) => state.visible(i, now),
    scope: `${endpoint}\u0000${query}`,
  };
}

/** Selection of users/:id/tweets and users/:id/mentions, including the timeline depth limits. */
export function timelineSelection(
  state: SelectionSource,
  endpoint: Extract<EndpointKey, 'user_tweets' | 'user_mentions'>,
  userId: string,
  params: Map<string, string>,
  now: number,
): Selection {
  if (parseId(userId) === undefined) {
    throw new BadRequest(
      invalidParam('id', userId, `The \`id\` query parameter value [${userId}] does not match ^[0-9]{1,19}$`),
    );
  }
  const u = state.world.users.byId.get(userId);
  if (u === undefined) throw new BadRequest(userNotFound('id', userId));
  const exclude = endpoint === 'user_tweets' ? readList(params, 'exclude', ['replies', 'retweets']) : [];
  const sinceId = readId(params, 'since_id');
  const untilId = readId(params, 'until_id');
  const start = readTime(params, 'start_time');
  const end = readTime(params, 'end_time');
  const { posts } = state.world;
  const list = endpoint === 'user_tweets' ? posts.byAuthor[u]! : posts.byMention[u]!;
  let skip = 0;
  if (exclude.includes('replies')) skip |= PostFlag.reply;
  if (exclude.includes('retweets')) skip |= PostFlag.retweet;
  const flags = posts.flags;
  const accept = (i: number) => state.visible(i, now) && (flags[i]! & skip) === 0;
  const depth = endpoint === 'user_mentions' ? 800 : exclude.includes('replies') ? 800 : 3200;
  const nowHi = idFromMs(now + 1);
  let lo = sinceId !== undefined ? sinceId + 1n : start !== undefined ? idFromMs(start) : 0n;
  let hi = untilId ?? (end !== undefined ? idFromMs(end) : nowHi);
  lo = maxBig(lo, depthFloor(posts, list, nowHi, depth, accept));
  hi = minBig(hi, nowHi);
  return { list, bounds: { lo, hi }, accept, scope: `${endpoint}\u0000${userId}\u0000${exclude.join(',')}` };
}
