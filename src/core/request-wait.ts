/**
 * What waiting before a request means, for both the process's RateLimiter and the SharedRateBudget it
 * hands the decision to (kept apart from both so neither imports the other's module for a type).
 */

/** Why the limiter waits: the minimum interval, pacing past the threshold, or an exhausted window. */
export type WaitReason = 'min_interval' | 'pacing' | 'exhausted';

/** A wait the limiter decided on. */
export interface PlannedWait {
  readonly waitMs: number;
  readonly reason: WaitReason;
}

/** Options of `RateLimiter.beforeRequest`. */
export interface BeforeRequestOptions {
  /** Epoch ms: a wait that would end after it throws DeadlineError. @default Infinity */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each wait (logs, metrics, lease renewal); a returned promise is awaited. */
  readonly onWait?: (wait: PlannedWait) => void | Promise<void>;
}
