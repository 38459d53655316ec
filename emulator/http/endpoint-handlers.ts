import type { EmulatorState } from '../admin/index.js';
import {
  ALLOWED_PARAMS,
  type ApiResponse,
  BadRequest,
  ENDPOINT,
  type EndpointKey,
  invalidParam,
  readList,
  readMaxResults,
  readParams,
  renderUser,
  USER_FIELDS,
  userNotFound,
} from '../api/index.js';
import {
  decodeToken,
  encodeToken,
  pageDown,
  pageUp,
  type Selection,
  searchSelection,
  timelineSelection,
} from '../query/index.js';
import { type FieldSelection, pageBody, readFieldSelection } from './page-body.js';

/** A page-shaping fault applied by the handler (it never loses posts). */
export type PageFault = 'short-page' | 'empty-page' | undefined;

/** A handled request: the response and how many posts it served (billed reads). */
export interface Handled {
  readonly response: ApiResponse;
  readonly served: number;
  /** Corpus indexes of the posts served (for billing). @default none */
  readonly items?: readonly number[];
}

function servePage(
  state: EmulatorState,
  sel: Selection,
  params: Map<string, string>,
  shape: { readonly max: number; readonly fields: FieldSelection; readonly timeline: boolean },
  fault: PageFault,
): Handled {
  const { max, fields, timeline } = shape;
  const tokenName = params.has('next_token') ? 'next_token' : 'pagination_token';
  const raw = params.get(tokenName);
  if (!timeline && params.has('next_token') && params.has('pagination_token')) {
    throw new BadRequest(
      invalidParam(
        'pagination_token',
        raw,
        "Only one of 'next_token' or 'pagination_token' may be provided.",
      ),
    );
  }
  const cursor = raw === undefined ? undefined : decodeToken(raw, sel.scope);
  if (raw !== undefined && cursor === undefined) {
    throw new BadRequest(
      invalidParam(tokenName, raw, `The \`${tokenName}\` query parameter value [${raw}] is not valid`),
    );
  }
  const { posts } = state.world;
  let { lo, hi } = sel.bounds;
  const previous = cursor?.direction === 'previous';
  if (cursor !== undefined && !previous && cursor.id < hi) hi = cursor.id;
  if (cursor !== undefined && previous && cursor.id + 1n > lo) lo = cursor.id + 1n;
  const page = (previous ? pageUp : pageDown)(posts, sel.list, { lo, hi }, max, sel.accept);
  let items = page.items;
  let olderExist = previous ? items.length > 0 : page.more;
  let next: string | undefined;
  if (fault === 'empty-page' && items.length > 0 && !previous) {
    // The token points where this page started, so the client re-asks for the same posts.
    const token = encodeToken({ direction: 'next', id: hi }, sel.scope);
    return {
      response: { status: 200, body: pageBody(state, [], fields, { next: token }) },
      served: 0,
    };
  }
  if (fault === 'short-page' && items.length > 1) {
    items = items.slice(0, Math.ceil(items.length / 2));
    olderExist = true;
  }
  if (olderExist && items.length > 0) {
    next = encodeToken({ direction: 'next', id: posts.ids[items[items.length - 1]!]! }, sel.scope);
  }
  const newerExist = previous ? page.more : cursor !== undefined;
  const prev =
    timeline && newerExist && items.length > 0
      ? encodeToken({ direction: 'previous', id: posts.ids[items[0]!]! }, sel.scope)
      : undefined;
  const tokens = {
    ...(next === undefined ? {} : { next }),
    ...(prev === undefined ? {} : { previous: prev }),
  };
  return {
    response: { status: 200, body: pageBody(state, items, fields, tokens) },
    served: items.length,
    items,
  };
}

function usageBody(state: EmulatorState, params: Map<string, string>, now: number): ApiResponse {
  const rawDays = params.get('days') ?? '7';
  const days = /^[0-9]+$/.test(rawDays) ? Number(rawDays) : 0;
  if (days < 1 || days > 90) {
    throw new BadRequest(
      invalidParam(
        'days',
        rawDays,
        `The \`days\` query parameter value [${rawDays}] is not between 1 and 90`,
      ),
    );
  }
  const usage = state.usage;
  const body = {
    data: {
      cap_reset_day: usage.capResetDay(now),
      daily_project_usage: { project_id: 1, usage: usage.dailyUsage(now, days) },
      project_cap: String(usage.options.cap),
      project_id: '1',
      project_usage: String(usage.monthUsage(now)),
    },
  };
  return { status: 200, body: JSON.stringify(body) };
}

function userByUsername(state: EmulatorState, username: string, params: Map<string, string>): ApiResponse {
  const userFields = readList(params, 'user.fields', USER_FIELDS);
  if (!/^[A-Za-z0-9_]{1,15}$/.test(username)) {
    throw new BadRequest(
      invalidParam(
        'username',
        username,
        `The \`username\` query parameter value [${username}] does not match ^[A-Za-z0-9_]{1,15}$`,
      ),
    );
  }
  const u = state.world.users.indexOfUsername(username);
  if (u === undefined) return userNotFound('username', username);
  return { status: 200, body: `{"data":${renderUser(state.world.users, state.world.posts, u, userFields)}}` };
}

/**
 * Answers one authenticated, rate-limited API request.
 * @param fault a page-shaping fault to apply, if the fault plan chose one
 */
export function handleApi(
  state: EmulatorState,
  endpoint: EndpointKey,
  param: string | undefined,
  search: URLSearchParams,
  now: number,
  fault: PageFault,
): Handled {
  try {
    switch (endpoint) {
      case ENDPOINT.searchRecent:
      case ENDPOINT.searchAll: {
        const params = readParams(search, ALLOWED_PARAMS.search);
        const max = readMaxResults(params, 10, endpoint === ENDPOINT.searchAll ? 500 : 100);
        const fields = readFieldSelection(params);
        const sel = searchSelection(state, endpoint, params, now);
        return servePage(state, sel, params, { max, fields, timeline: false }, fault);
      }
      case ENDPOINT.userTweets:
      case ENDPOINT.userMentions: {
        const allowed = endpoint === ENDPOINT.userTweets ? ALLOWED_PARAMS.timeline : ALLOWED_PARAMS.mentions;
        const params = readParams(search, allowed);
        const max = readMaxResults(params, 5, 100);
        const fields = readFieldSelection(params);
        const sel = timelineSelection(state, endpoint, param ?? '', params, now);
        return servePage(state, sel, params, { max, fields, timeline: true }, fault);
      }
      case ENDPOINT.userByUsername:
        return {
          response: userByUsername(state, param ?? '', readParams(search, ALLOWED_PARAMS.user)),
          served: 0,
        };
      case ENDPOINT.usageTweets:
        return { response: usageBody(state, readParams(search, ALLOWED_PARAMS.usage), now), served: 0 };
    }
  } catch (error) {
    if (error instanceof BadRequest) return { response: error.response, served: 0 };
    throw error;
  }
}
