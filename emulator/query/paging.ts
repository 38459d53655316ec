import type { PostStore } from '../world/index.js';

/** Id bounds of a selection: `lo` inclusive, `hi` exclusive. */
export interface IdBounds {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** One page of post indexes, newest first. */
export interface Page {
  readonly items: number[];
  /** True when more accepted posts exist beyond the page in the paging direction. */
  readonly more: boolean;
}

/** First position in `list` whose id is >= `id`. */
export function lowerBound(posts: PostStore, list: readonly number[], id: bigint): number {
  let lo = 0;
  let hi = list.length;
  const ids = posts.ids;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[list[mid]!]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to `max` accepted posts of `list` within bounds, newest first, going down from `hi`. */
export function pageDown(
  posts: PostStore,
  list: readonly number[],
  bounds: IdBounds,
  max: number,
  accept: (i: number) => boolean,
): Page {
  const items: number[] = [];
  const ids = posts.ids;
  for (let k = lowerBound(posts, list, bounds.hi) - 1; k >= 0; k--) {
    const i = list[k]!;
    if (ids[i]! < bounds.lo) break;
    if (!accept(i)) continue;
    if (items.length === max) return { items, more: true };
    items.push(i);
  }
  return { items, more: false };
}

/** Up to `max` accepted posts just above `bounds.lo` (a previous page), returned newest first. */
export function pageUp(
  posts: PostStore,
  list: readonly number[],
  bounds: IdBounds,
  max: number,
  accept: (i: number) => boolean,
): Page {
  const items: number[] = [];
  const ids = posts.ids;
  let more = false;
  for (let k = lowerBound(posts, list, bounds.lo); k < list.length; k++) {
    const i = list[k]!;
    if (ids[i]! >= bounds.hi) break;
    if (!accept(i)) continue;
    if (items.length === max) {
      more = true;
      break;
    }
    items.push(i);
  }
  return { items: items.reverse(), more };
}

/**
 * Lowest id among the `depth` newest accepted posts (timelines only expose that many), or 0n when
 * fewer exist.
 */
export function depthFloor(
  posts: PostStore,
  list: readonly number[],
  hi: bigint,
  depth: number,
  accept: (i: number) => boolean,
): bigint {
  if (list.length <= depth) return 0n;
  let seen = 0;
  for (let k = lowerBound(posts, list, hi) - 1; k >= 0; k--) {
    const i = list[k]!;
    if (!accept(i)) continue;
    if (++seen === depth) return posts.ids[i]!;
  }
  return 0n;
}
