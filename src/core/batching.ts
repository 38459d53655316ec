/**
 * Splits one page into delivery batches: order kept (newest first, as the API returns it), at most
 * `batchSize` posts and, optionally, `maxBytes` of serialized JSON each, every batch carrying only the
 * `includes` its posts reference. Memory stays bounded by one page.
 */
import type { Batch } from './ports/sink.js';
import type { Includes, Tweet } from './ports/x-api.js';

/** How `splitIntoBatches` cuts a page. */
export interface BatchingOptions {
  readonly stream: string;
  readonly correlationId: string;
  /** Posts per batch. @default 25 */
  readonly batchSize: number;
  /** Upper bound of a batch's serialized JSON (UTF-8 bytes); a single larger post goes alone. @default undefined (no bound) */
  readonly maxBytes?: number;
}

/**
 * Deterministic id of a batch: the same posts of the same stream always get the same id, so a batch
 * redelivered after a crash can be deduplicated downstream. (No hash: core has no crypto.)
 */
export function batchId(stream: string, tweets: readonly Tweet[]): string {
  const first = tweets[0]?.id ?? '0';
  const last = tweets[tweets.length - 1]?.id ?? '0';
  return `${stream}:${first}-${last}:${tweets.length}`;
}

const encoder = new TextEncoder();
function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

function addId(ids: Set<string>, v: unknown): void {
  if (typeof v === 'string') ids.add(v);
}

/**
 * Adds to `ids` the ids (user, tweet, media, place, poll) a post points at through its expansion
 * fields. One set for the whole batch and no closure per post: this runs for every post of a page.
 */
function addReferencedIds(tweet: Tweet, ids: Set<string>): void {
  addId(ids, tweet.author_id);
  addId(ids, tweet.in_reply_to_user_id);
  const refs = tweet.referenced_tweets;
  if (Array.isArray(refs)) for (const r of refs) addId(ids, (r as { id?: unknown } | null)?.id);
  const attachments = tweet.attachments as Record<string, unknown> | undefined;
  if (attachments !== undefined) {
    for (const key of ['media_keys', 'poll_ids'] as const) {
      const list = attachments[key];
      if (Array.isArray(list)) for (const v of list) addId(ids, v);
    }
  }
  const geo = tweet.geo as { place_id?: unknown } | undefined;
  addId(ids, geo?.place_id);
  const mentions = (tweet.entities as { mentions?: unknown } | undefined)?.mentions;
  if (Array.isArray(mentions)) for (const m of mentions) addId(ids, (m as { id?: unknown } | null)?.id);
}

/** Key of an include object: users/tweets/places/polls use `id`, media uses `media_key`. */
function includeKey(item: Record<string, unknown>): unknown {
  return item.id ?? item.media_key;
}

/** The includes of `includes` that `tweets` reference; undefined when none does. */
export function trimIncludes(includes: Includes | undefined, tweets: readonly Tweet[]): Includes | undefined {
  if (includes === undefined) return undefined;
  const wanted = new Set<string>();
  for (const t of tweets) addReferencedIds(t, wanted);
  const out: Record<string, readonly Record<string, unknown>[]> = {};
  for (const [kind, items] of Object.entries(includes)) {
    const kept = items.filter((item) => {
      const key = includeKey(item);
      return typeof key === 'string' && wanted.has(key);
    });
    if (kept.length > 0) out[kind] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function makeBatch(options: BatchingOptions, tweets: Tweet[], includes: Includes | undefined): Batch {
  const trimmed = trimIncludes(includes, tweets);
  const base = {
    version: 1 as const,
    stream: options.stream,
    batch_id: batchId(options.stream, tweets),
    correlation_id: options.correlationId,
    tweets,
  };
  return trimmed === undefined ? base : { ...base, includes: trimmed };
}

/** Splits `tweets` (one page, already in API order) into batches. */
export function splitIntoBatches(
  tweets: readonly Tweet[],
  includes: Includes | undefined,
  options: BatchingOptions,
): Batch[] {
  const size = Math.max(1, Math.floor(options.batchSize));
  const batches: Batch[] = [];
  let current: Tweet[] = [];
  let bytes = 0;
  for (const tweet of tweets) {
    const tweetBytes = options.maxBytes === undefined ? 0 : byteLength(tweet) + 1;
    const overBytes =
      options.maxBytes !== undefined && current.length > 0 && bytes + tweetBytes > options.maxBytes;
    if (current.length >= size || overBytes) {
      batches.push(makeBatch(options, current, includes));
      current = [];
      bytes = 0;
    }
    current.push(tweet);
    bytes += tweetBytes;
  }
  if (current.length > 0) batches.push(makeBatch(options, current, includes));
  return batches;
}
