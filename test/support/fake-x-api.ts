/**
 * An in-memory XApi over a list of post ids, for unit tests of the poll loop only (integration tests run
 * against the emulator). Honours since_id / until_id / max_results / next_token (pagination_token),
 * newest first; faults and rate-limit headers are scriptable. Kept small so it is obviously correct.
 */
import { RateLimitExceededError } from '../../src/core/errors.js';
import type { ApiRequest, ApiResponse, RateLimitSnapshot, Tweet, XApi } from '../../src/core/ports/x-api.js';
import type { ManualClock } from './manual-clock.js';

/** A 15-minute window like the real API's, starting at the first request. */
export interface FakeWindow {
  readonly limit: number;
  readonly windowMs: number;
}

export type Fault = Error | ((request: ApiRequest) => Error | undefined);

export class FakeXApi implements XApi {
  readonly requests: ApiRequest[] = [];
  /** Faults thrown by the next requests, one per request, in order. */
  readonly faults: Fault[] = [];
  /** Usernames the lookup endpoint knows. */
  readonly users = new Map<string, string>();
  /** Rewrites a page body before it is returned (hostile responses). */
  transform: ((body: Record<string, unknown>, request: ApiRequest) => unknown) | undefined;
  /** Awaited before a request is answered (`n`: its 1-based number): holds answers to keep requests in flight together. */
  beforeAnswer: ((request: ApiRequest, n: number) => Promise<void>) | undefined;
  /** Server clock minus local clock, reported in serverDateMs. */
  skewMs = 0;
  #ids: string[] = [];
  /** #ids as BigInt, same order: a page is found by binary search, not by a scan (big worlds stay cheap). */
  #big: bigint[] = [];
  #window: { start: number; used: number } | undefined;

  constructor(
    private readonly clock: ManualClock,
    ids: readonly string[] = [],
    private readonly rateWindow?: FakeWindow,
  ) {
    this.publish(ids);
  }

  /** Adds posts (any order); they become visible to the next request. */
  publish(ids: readonly string[]): void {
    const all = [...new Set([...this.#ids, ...ids])].map((id) => ({ id, big: BigInt(id) }));
    all.sort((a, b) => (a.big < b.big ? 1 : a.big > b.big ? -1 : 0));
    this.#ids = all.map((e) => e.id);
    this.#big = all.map((e) => e.big);
  }

  /** The first index (ids newest first) whose id is below `bound`, or at or below it when `inclusive`. */
  #firstBelow(bound: bigint, inclusive: boolean): number {
    let low = 0;
    let high = this.#big.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const id = this.#big[mid] as bigint;
      if (inclusive ? id <= bound : id < bound) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  get ids(): readonly string[] {
    return this.#ids;
  }

  async get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    signal?.throwIfAborted();
    this.requests.push(request);
    await this.beforeAnswer?.(request, this.requests.length);
    const rateLimit = this.#countRequest(request);
    const fault = this.faults.shift();
    const error = typeof fault === 'function' ? fault(request) : fault;
    if (error !== undefined) throw error;
    const serverDateMs = this.clock.now() + this.skewMs;
    const meta = { status: 200, serverDateMs, ...(rateLimit ? { rateLimit } : {}) };
    if (request.path.startsWith('/2/users/by/username/')) {
      const name = decodeURIComponent(request.path.split('/').pop() ?? '');
      const id = this.users.get(name);
      const body = id
        ? { data: { id, username: name } }
        : {
            errors: [
              { title: 'Not Found Error', type: 'https://api.twitter.com/2/problems/resource-not-found' },
            ],
          };
      return { ...meta, body: body as T };
    }
    const body = this.#page(request.params);
    return { ...meta, body: (this.transform ? this.transform(body, request) : body) as T };
  }

  #page(params: Readonly<Record<string, string>>): Record<string, unknown> {
    const since = params.since_id;
    const token = params.next_token ?? params.pagination_token;
    // The token is the lowest id already returned: the next page lies strictly below it.
    const until = [params.until_id, token?.replace('tok:', '')].filter((v): v is string => v !== undefined);
    const max = Number(params.max_results ?? '10');
    // Newest first: matching ids are those from the first below every until to the first at or below since.
    let upper: bigint | undefined;
    for (const u of until) if (upper === undefined || BigInt(u) < upper) upper = BigInt(u);
    const from = upper === undefined ? 0 : this.#firstBelow(upper, false);
    const to = since === undefined ? this.#ids.length : this.#firstBelow(BigInt(since), true);
    const matching = Math.max(0, to - from);
    const data: Tweet[] = this.#ids
      .slice(from, from + Math.min(max, matching))
      .map((id) => ({ id, text: `post ${id}`, author_id: authorOf(id) }));
    if (data.length === 0) return { meta: { result_count: 0 } };
    const newest = data[0]!.id;
    const oldest = data[data.length - 1]!.id;
    const authors = [...new Set(data.map((t) => t.author_id as string))];
    return {
      data,
      includes: { users: authors.map((id) => ({ id, username: `user${id}` })) },
      meta: {
        result_count: data.length,
        newest_id: newest,
        oldest_id: oldest,
        ...(matching > max ? { next_token: `tok:${oldest}` } : {}),
      },
    };
  }

  #countRequest(request: ApiRequest): RateLimitSnapshot | undefined {
    const w = this.rateWindow;
    if (w === undefined || request.path.startsWith('/2/users/by/')) return undefined;
    const now = this.clock.now();
    if (this.#window === undefined || now >= this.#window.start + w.windowMs)
      this.#window = { start: now, used: 0 };
    this.#window.used++;
    const resetAtMs = Math.ceil((this.#window.start + w.windowMs + this.skewMs) / 1000) * 1000;
    const snapshot = { limit: w.limit, remaining: Math.max(0, w.limit - this.#window.used), resetAtMs };
    if (this.#window.used > w.limit) {
      throw new RateLimitExceededError('Too Many Requests', 429, request.endpoint, 'about:blank', {
        rateLimit: snapshot,
        serverDateMs: now + this.skewMs,
      });
    }
    return snapshot;
  }
}

function authorOf(id: string): string {
  return String((BigInt(id) % 3n) + 1n);
}
