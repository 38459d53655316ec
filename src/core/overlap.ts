/**
 * Optional late-arrival re-read (`overlapSeconds`). Recent search indexes some posts late: a post can
 * appear after a higher id was already seen, i.e. below since_id. With an overlap, every request's
 * since_id is moved back by that many seconds; posts at or below the checkpoint's since_id that are in
 * `checkpoint.recent_ids` (ids already delivered inside the window) are dropped, the others are late
 * arrivals and delivered.
 *
 * Why ids in the checkpoint: they are the only state that survives between runs. The list is bounded
 * (RECENT_IDS_LIMIT), so on a stream busier than that inside the window, or with a store that does not
 * keep the field, the overlap can redeliver posts: duplicates (at-least-once), never a loss.
 */
import { compareIds, idToTimeMs, maxId, timeMsToId } from './ids.js';
import type { Checkpoint } from './ports/checkpoint-store.js';
import type { Tweet } from './ports/x-api.js';

/** Most ids kept in `recent_ids`. @default 1000 */
export const RECENT_IDS_LIMIT = 1_000;

function backBy(sinceId: string, overlapSeconds: number): string {
  const moved = timeMsToId(idToTimeMs(sinceId) - overlapSeconds * 1000);
  return compareIds(moved, '1') < 0 ? '1' : moved;
}

/** since_id of the request: since_id moved back by the overlap, but not below `floor` (the API's window). */
export function overlapSinceId(sinceId: string, overlapSeconds: number, floor: string | undefined): string {
  if (overlapSeconds <= 0) return sinceId;
  const moved = backBy(sinceId, overlapSeconds);
  return floor === undefined ? moved : maxId(moved, minOf(sinceId, floor));
}

function minOf(a: string, b: string): string {
  return compareIds(a, b) <= 0 ? a : b;
}

/** The posts of a page minus those the overlap re-read already delivered. */
export function withoutRedelivered(posts: readonly Tweet[], checkpoint: Checkpoint): readonly Tweet[] {
  const recent = checkpoint.recentIds;
  if (recent === undefined || recent.length === 0) return posts;
  const seen = new Set(recent);
  return posts.filter((p) => compareIds(p.id, checkpoint.sinceId) > 0 || !seen.has(p.id));
}

/** The checkpoint with the delivered `postIds` added to `recent_ids`, trimmed to the overlap window and the limit. */
export function recordRecent(
  checkpoint: Checkpoint,
  postIds: readonly string[],
  overlapSeconds: number,
): Checkpoint {
  if (overlapSeconds <= 0) return checkpoint;
  const floor = backBy(checkpoint.sinceId, overlapSeconds);
  const ids = new Set<string>();
  for (const id of [...postIds, ...(checkpoint.recentIds ?? [])]) {
    if (compareIds(id, floor) > 0) ids.add(id);
  }
  const kept = [...ids].sort((a, b) => compareIds(b, a)).slice(0, RECENT_IDS_LIMIT);
  return { ...checkpoint, recentIds: kept };
}
