import type { EmulatorState } from '../admin/index.js';
import { readList, TWEET_EXPANSIONS, TWEET_FIELDS, tweetFieldMask, USER_FIELDS } from '../api/index.js';

/** Field selection of a post-returning request. */
export interface FieldSelection {
  readonly mask: number;
  readonly userFields: readonly string[];
  readonly expansions: readonly string[];
}

/** Reads and validates `tweet.fields`, `user.fields` and `expansions`. */
export function readFieldSelection(params: Map<string, string>): FieldSelection {
  return {
    mask: tweetFieldMask(readList(params, 'tweet.fields', TWEET_FIELDS)),
    userFields: readList(params, 'user.fields', USER_FIELDS),
    expansions: readList(params, 'expansions', TWEET_EXPANSIONS),
  };
}

function includesJson(
  state: EmulatorState,
  items: readonly number[],
  sel: FieldSelection,
): string | undefined {
  const { posts, users } = state.world;
  // Sets keep insertion order: includes list users and posts in order of first reference.
  const userIdx = new Set<number>();
  const tweetIdx = new Set<number>();
  const addUser = (u: number) => {
    if (u >= 0) userIdx.add(u);
  };
  const has = (e: string) => sel.expansions.includes(e);
  for (const i of items) {
    if (has('author_id')) addUser(posts.author[i]!);
    if (has('in_reply_to_user_id')) addUser(posts.replyTo[i]!);
    if (has('entities.mentions.username')) {
      for (const m of posts.text[i]!.matchAll(/@([A-Za-z0-9_]{1,15})/g))
        addUser(users.indexOfUsername(m[1]!) ?? -1);
    }
    const ref = posts.ref[i]!;
    if (ref >= 0 && has('referenced_tweets.id')) tweetIdx.add(ref);
    if (ref >= 0 && has('referenced_tweets.id.author_id')) addUser(posts.author[ref]!);
  }
  const parts: string[] = [];
  if (userIdx.size > 0) {
    const key = sel.userFields.join(',');
    parts.push(`"users":[${[...userIdx].map((u) => state.userJson(u, key, sel.userFields)).join(',')}]`);
  }
  if (tweetIdx.size > 0) {
    parts.push(`"tweets":[${[...tweetIdx].map((t) => state.tweetJson(t, sel.mask)).join(',')}]`);
  }
  return parts.length > 0 ? `{${parts.join(',')}}` : undefined;
}

/** Page tokens to put in meta. */
export interface PageTokens {
  readonly next?: string;
  readonly previous?: string;
}

/**
 * The JSON body of a page of posts (newest first). An empty page is exactly
 * `{"meta":{"result_count":0}}` plus any token.
 */
export function pageBody(
  state: EmulatorState,
  items: readonly number[],
  sel: FieldSelection,
  tokens: PageTokens,
): string {
  const meta: string[] = [];
  const posts = state.world.posts;
  if (items.length > 0) {
    meta.push(
      `"newest_id":"${posts.idOf(items[0]!)}"`,
      `"oldest_id":"${posts.idOf(items[items.length - 1]!)}"`,
    );
  }
  meta.push(`"result_count":${items.length}`);
  if (tokens.next !== undefined) meta.push(`"next_token":"${tokens.next}"`);
  if (tokens.previous !== undefined) meta.push(`"previous_token":"${tokens.previous}"`);
  if (items.length === 0) return `{"meta":{${meta.join(',')}}}`;
  const data = items.map((i) => state.tweetJson(i, sel.mask)).join(',');
  const includes = includesJson(state, items, sel);
  return `{"data":[${data}]${includes === undefined ? '' : `,"includes":${includes}`},"meta":{${meta.join(',')}}}`;
}
