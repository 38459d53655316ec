/**
 * Proactive rate limiting: waits *before* a request so that 429s stay rare. Reactive handling of a
 * 429 that still happens lives in retry.ts (classifyError), which reads the same headers.
 *
 *   used/limit:  0 ──────────────── 80 % ──────────────── 100 %
 *                 min interval only   │ pace: remaining calls   │ wait for the reset
 *                                     │ spread over time to reset
 */
import { DeadlineError } from './errors.js';
import type { Clock } from './ports/clock.js';
import { Endpoint, type RateLimitSnapshot } from './ports/x-api.js';
import type { BeforeRequestOptions, PlannedWait } from './request-wait.js';
import { RESET_MARGIN_MS, SEARCH_ALL_INTERVAL_MS } from './retry.js';
import type { SharedRateBudget } from './shared-rate-budget.js';

/** The waiting contract lives in request-wait.ts (shared with SharedRateBudget); re-exported for callers of the limiter. */
export type { BeforeRequestOptions, PlannedWait, WaitReason } from './request-wait.js';

/** Options of RateLimiter. */
export interface RateLimiterOptions {
  readonly clock: Clock;
  /** Minimum time between any two requests, all buckets together (RunOptions.minIntervalMs). */
  readonly minIntervalMs: number;
  /** Share of the window used before pacing starts (RunOptions.pacingThreshold). */
  readonly pacingThreshold: number;
  /** Added after a reset before the next call. @default 1000 */
  readonly resetMarginMs?: number;
  /**
   * The app-wide budget shared with other processes (docs/architecture.md, "The shared rate
   * budget"). When set, it decides every wait; this limiter only passes the headers on.
   * @default none: pace from this process's own view
   */
  readonly shared?: SharedRateBudget;
}

interface Bucket {
  snapshot?: RateLimitSnapshot;
  /** Local-clock instants of the window and day resets (server skew cancelled). */
  resetLocalMs?: number;
  dayResetLocalMs?: number;
  lastRequestMs?: number;
}

/** Bucket key: the endpoint, plus a token id when several tokens share one process. */
export function bucketKey(endpoint: string, tokenId?: string): string {
  return tokenId === undefined ? endpoint : `${endpoint}:${tokenId}`;
}

/** Per-bucket rate-limit state of one process. Never sleeps for real: all waits go through the Clock. */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #minIntervalMs: number;
  readonly #threshold: number;
  readonly #marginMs: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #shared: SharedRateBudget | undefined;
  #lastRequestMs: number | undefined;

  constructor(options: RateLimiterOptions) {
    this.#shared = options.shared;
    this.#clock = options.clock;
    this.#minIntervalMs = options.minIntervalMs;
    this.#threshold = options.pacingThreshold;
    this.#marginMs = options.resetMarginMs ?? RESET_MARGIN_MS;
  }

  /**
   * Records what a response (or an ApiError's `response`) said. With the server's Date, resets are
   * measured as `reset - serverDate` from now, which cancels any skew between the two clocks.
   */
  record(bucket: string, snapshot: RateLimitSnapshot | undefined, serverDateMs?: number): void {
    const state = this.#bucket(bucket);
    const now = this.#clock.now();
    // search/all's 1 request per second is counted where requests arrive. The request arrived before
    // this response did, so a second measured from here holds even when the request was slow on its
    // way (a new connection, a busy host) and the next one is quick.
    if (bucket.startsWith(Endpoint.searchAll)) state.lastRequestMs = now;
    if (snapshot === undefined) return;
    const offset = serverDateMs === undefined ? 0 : now - serverDateMs;
    state.snapshot = snapshot;
    state.resetLocalMs = snapshot.resetAtMs + offset;
    if (snapshot.day !== undefined) state.dayResetLocalMs = snapshot.day.resetAtMs + offset;
    this.#shared?.observe(bucket, snapshot, serverDateMs === undefined ? undefined : offset);
  }

  /** The wait needed before the next request to `bucket`, or null. Pure: does not change state. */
  plan(bucket: string): PlannedWait | null {
    const now = this.#clock.now();
    const state = this.#buckets.get(bucket);
    const waits: PlannedWait[] = [];
    if (this.#lastRequestMs !== undefined) {
      waits.push({ waitMs: this.#lastRequestMs + this.#minIntervalMs - now, reason: 'min_interval' });
    }
    if (bucket.startsWith(Endpoint.searchAll) && state?.lastRequestMs !== undefined) {
      waits.push({ waitMs: state.lastRequestMs + SEARCH_ALL_INTERVAL_MS - now, reason: 'min_interval' });
    }
    const snap = state?.snapshot;
    if (state !== undefined && snap !== undefined) {
      const reset = state.resetLocalMs ?? now;
      const day = snap.day;
      if (day !== undefined && day.remaining <= 0 && (state.dayResetLocalMs ?? now) > now) {
        waits.push({ waitMs: (state.dayResetLocalMs ?? now) - now + this.#marginMs, reason: 'exhausted' });
      }
      if (reset > now) {
        if (snap.remaining <= 0) {
          waits.push({ waitMs: reset - now + this.#marginMs, reason: 'exhausted' });
        } else if (snap.limit > 0 && (snap.limit - snap.remaining) / snap.limit >= this.#threshold) {
          // Spread what is left evenly over the time to reset.
          const spacing = (reset - now) / snap.remaining;
          const since = state.lastRequestMs ?? now;
          waits.push({ waitMs: Math.ceil(since + spacing - now), reason: 'pacing' });
        }
      }
    }
    let longest: PlannedWait | null = null;
    for (const w of waits) if (w.waitMs > 0 && (longest === null || w.waitMs > longest.waitMs)) longest = w;
    return longest;
  }

  /**
   * Waits as long as `plan` says (re-planning after each wait), then marks the request as sent and
   * counts it against the known remaining. Throws DeadlineError instead of a wait past the deadline.
   */
  async beforeRequest(bucket: string, options: BeforeRequestOptions = {}): Promise<void> {
    if (this.#shared !== undefined) {
      await this.#shared.acquire(bucket, options);
      this.#lastRequestMs = this.#clock.now();
      return;
    }
    const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;
    for (let wait = this.plan(bucket); wait !== null; wait = this.plan(bucket)) {
      if (this.#clock.now() + wait.waitMs > deadlineMs) {
        throw new DeadlineError(
          `a ${wait.reason} wait of ${wait.waitMs} ms on ${bucket} would pass the deadline`,
        );
      }
      await options.onWait?.(wait);
      await this.#clock.sleep(wait.waitMs, options.signal);
    }
    const now = this.#clock.now();
    const state = this.#bucket(bucket);
    this.#lastRequestMs = now;
    state.lastRequestMs = now;
    this.#consume(state, now);
  }

  /** Counts a request locally until the response's headers replace the estimate. */
  #consume(state: Bucket, now: number): void {
    const snap = state.snapshot;
    if (snap === undefined) return;
    if ((state.resetLocalMs ?? now) <= now) {
      // The window has reset: a fresh window, the first request of which is this one.
      state.snapshot = { ...snap, remaining: Math.max(0, snap.limit - 1) };
      delete state.resetLocalMs;
      return;
    }
    state.snapshot = { ...snap, remaining: Math.max(0, snap.remaining - 1) };
  }

  #bucket(key: string): Bucket {
    let state = this.#buckets.get(key);
    if (state === undefined) {
      state = {};
      this.#buckets.set(key, state);
    }
    return state;
  }
}
