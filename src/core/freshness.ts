/**
 * Freshness of a stream: how old the newest post was when it was delivered (the lag), and how old
 * the oldest post still owed is. Pure functions over post ids, `created_at` and a clock reading.
 */
import { compareIds, idToTimeMs, isValidId } from './ids.js';
import type { Checkpoint } from './ports/checkpoint-store.js';
import type { Tweet } from './ports/x-api.js';

/**
 * When a post was created: its `created_at` when the API sent one, else the time its id encodes
 * (post ids are snowflakes). NaN when neither can be read.
 */
export function postCreatedMs(post: Tweet): number {
  const created = typeof post.created_at === 'string' ? Date.parse(post.created_at) : Number.NaN;
  if (Number.isFinite(created)) return created;
  return isValidId(post.id) ? idToTimeMs(post.id) : Number.NaN;
}

/** True when `candidate` is a time and `current` is none yet (NaN, undefined) or earlier. */
export function isNewer(candidate: number, current: number | undefined): boolean {
  return (
    Number.isFinite(candidate) && (current === undefined || !Number.isFinite(current) || candidate > current)
  );
}

/** The latest creation time among `posts` (NaN for none). */
export function newestCreatedMs(posts: readonly Tweet[]): number {
  let newest = Number.NaN;
  for (const post of posts) {
    const at = postCreatedMs(post);
    if (isNewer(at, newest)) newest = at;
  }
  return newest;
}

/** Seconds between a post's creation and its delivery (never below 0: clocks differ a little). */
export function lagSeconds(createdMs: number, deliveredMs: number): number {
  return Math.max(0, Math.round((deliveredMs - createdMs) / 100) / 10);
}

/**
 * Age in seconds of the oldest post still owed: a pending sweep owes the posts just above since_id,
 * so the age is that of since_id's time (an upper bound: the owed range may hold no post that old).
 * Null when nothing is owed (no pending sweep).
 */
export function owedAgeSeconds(checkpoint: Checkpoint | null, nowMs: number): number | null {
  if (checkpoint === null || checkpoint.sweep === null) return null;
  if (compareIds(checkpoint.sinceId, '0') <= 0) return null;
  return lagSeconds(idToTimeMs(checkpoint.sinceId), nowMs);
}
