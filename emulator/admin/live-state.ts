import { renderTweet, renderUser } from '../api/index.js';
import type { FaultPlan } from '../faults/index.js';
import { Billing, type RateLimiter, type UsageMeter } from '../limits/index.js';
import { QueryCache } from '../query/index.js';
import type { EmulatorClock, World } from '../world/index.js';

const RENDER_CACHE_LIMIT = 200_000;

/** Knobs of the live world. */
export interface WorldSettings {
  /** Fraction of published posts that arrive late in the index. @default 0.05 */
  lateArrivalFraction: number;
  /** How late a late arrival becomes visible, ms after creation. @default 60_000 */
  lateArrivalMs: number;
  /** Delay before a post is searchable when no end_time is given (search end = now - this). @default 30_000 */
  searchDelayMs: number;
}

/** Everything the request handlers share. */
export class EmulatorState {
  queries: QueryCache;
  private renderCache = new Map<number, Map<number, string>>();
  private userCache = new Map<string, string>();
  private userCacheAt = -1;
  /** Pay-per-use credits and the same-day rule; the controller sets the start balance. */
  billing = new Billing(undefined);

  constructor(
    public world: World,
    readonly clock: EmulatorClock,
    readonly limiter: RateLimiter,
    readonly usage: UsageMeter,
    readonly faults: FaultPlan,
    readonly settings: WorldSettings,
    /** Compiled queries kept. @default 256 */
    private readonly queryCacheSize = 256,
  ) {
    this.queries = new QueryCache(world.posts, world.users, queryCacheSize);
  }

  /** Swaps in a new world (reseed) or forgets derived caches after a truncation. */
  replaceWorld(world: World): void {
    this.world = world;
    this.queries = new QueryCache(world.posts, world.users, this.queryCacheSize);
    this.renderCache.clear();
    this.userCache.clear();
  }

  /** Forgets cached lists and rendered posts (after truncation). */
  clearCaches(): void {
    this.queries.clear();
    this.renderCache.clear();
    this.userCache.clear();
  }

  /** Rendered JSON of user `u` for a `user.fields` list; cached until a post is added (tweet_count changes). */
  userJson(u: number, key: string, fields: readonly string[]): string {
    if (this.userCacheAt !== this.world.posts.count || this.userCache.size > RENDER_CACHE_LIMIT) {
      this.userCache.clear();
      this.userCacheAt = this.world.posts.count;
    }
    const cacheKey = `${u}\u0000${key}`;
    let json = this.userCache.get(cacheKey);
    if (json === undefined) {
      json = renderUser(this.world.users, this.world.posts, u, fields);
      this.userCache.set(cacheKey, json);
    }
    return json;
  }

  /** Rendered JSON of post `i` for a field mask, cached. */
  tweetJson(i: number, mask: number): string {
    let cache = this.renderCache.get(mask);
    if (cache === undefined) {
      cache = new Map();
      this.renderCache.set(mask, cache);
    }
    let json = cache.get(i);
    if (json === undefined) {
      if (cache.size >= RENDER_CACHE_LIMIT) cache.clear();
      json = renderTweet(this.world.posts, this.world.users, i, mask);
      cache.set(i, json);
    }
    return json;
  }

  /** True when post `i` is visible (indexed) at `now`. */
  visible(i: number, now: number): boolean {
    return this.world.posts.visibleAt[i]! <= now;
  }
}
