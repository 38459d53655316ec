/**
 * Retry policy: the one place that decides what is retryable, and how long to wait before trying again.
 * Server timing (Retry-After, x-rate-limit-reset) beats local backoff; no wait may end past the deadline.
 */
import {
  ApiError,
  CreditsDepletedError,
  DeadlineError,
  NetworkError,
  PollerError,
  RateLimitExceededError,
  UsageCapExceededError,
} from './errors.js';
import type { Clock } from './ports/clock.js';
import { Endpoint } from './ports/x-api.js';

/** Retry policy: exponential backoff with full jitter. */
export interface RetryOptions {
  /** @default 1000 */
  readonly baseDelayMs: number;
  /** @default 300000 */
  readonly maxDelayMs: number;
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts: number;
}

/** What `classifyError` decided. `waitMs` is set when the server said how long to wait. */
export interface ErrorClass {
  readonly retryable: boolean;
  readonly waitMs?: number;
}

/** Added to a server-announced reset so the retry lands after it, not on its edge. @default 1000 */
export const RESET_MARGIN_MS = 1_000;
/** search/all allows 1 request per second, a limit absent from the headers. */
export const SEARCH_ALL_INTERVAL_MS = 1_000;

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/**
 * THE function deciding retryability. `nowMs` (local clock) measures a reset when the response had no
 * Date header; with one, the reset is measured against the server's clock to cancel skew.
 */
export function classifyError(err: unknown, nowMs?: number): ErrorClass {
  // Usage cap first: it is a 429 too, but waiting for the window does not help.
  if (err instanceof UsageCapExceededError) return { retryable: false };
  // 402: the credits are spent; asking again only repeats it (and never in a loop).
  if (err instanceof CreditsDepletedError) return { retryable: false };
  if (err instanceof RateLimitExceededError) {
    const waitMs = rateLimitWait(err, nowMs);
    return waitMs === undefined ? { retryable: true } : { retryable: true, waitMs };
  }
  if (err instanceof ApiError) {
    if (!RETRYABLE_STATUSES.has(err.status)) return { retryable: false };
    const retryAfter = err.response.retryAfterMs;
    return retryAfter === undefined ? { retryable: true } : { retryable: true, waitMs: retryAfter };
  }
  if (err instanceof NetworkError) return { retryable: true }; // includes TimeoutError
  // An error that knows whether trying again may help says so itself: a truncated body (yes) or bad
  // content (no), a busy or a refusing sink, an adapter's AwsServiceError (a DynamoDB throttle: yes).
  const declared = declaredRetryable(err);
  if (declared !== undefined) return { retryable: declared };
  // DeadlineError, CheckpointConflictError, CorruptCheckpointError, ConfigError, TypeError, ...
  return { retryable: false };
}

/** The `retryable` a PollerError declares about itself (see PollerError), if it declares one. */
function declaredRetryable(err: unknown): boolean | undefined {
  if (!(err instanceof PollerError)) return undefined;
  const own = (err as { readonly retryable?: unknown }).retryable;
  return typeof own === 'boolean' ? own : undefined;
}

function rateLimitWait(err: RateLimitExceededError, nowMs: number | undefined): number | undefined {
  const { rateLimit, serverDateMs, retryAfterMs } = err.response;
  if (retryAfterMs !== undefined) return retryAfterMs;
  // remaining > 0 on search/all: the per-second limit, not the window.
  if (err.endpoint === Endpoint.searchAll && rateLimit !== undefined && rateLimit.remaining > 0) {
    return SEARCH_ALL_INTERVAL_MS + RESET_MARGIN_MS;
  }
  if (rateLimit === undefined) return undefined;
  const reference = serverDateMs ?? nowMs;
  if (reference === undefined) return undefined;
  return Math.max(0, rateLimit.resetAtMs - reference) + RESET_MARGIN_MS;
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity for huge attempts; min() keeps the cap.
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  // random() < 1, so the floor never exceeds the ceiling.
  return Math.floor(random() * (ceiling + 1));
}

/** Reported before each wait between attempts. */
export interface RetryEvent {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
  /** True when the server chose the delay (Retry-After or rate-limit reset). */
  readonly serverTimed: boolean;
}

/** Options of `withRetry`. */
export interface WithRetryOptions {
  readonly retry: RetryOptions;
  readonly clock: Clock;
  /** Epoch ms; a wait that would end after it throws DeadlineError instead. @default Infinity */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Called before each wait; a returned promise is awaited (e.g. to renew a lease first). */
  readonly onRetry?: (event: RetryEvent) => void | Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or `maxAttempts` is spent (the last
 * error is thrown). Never starts a wait that would end past the deadline: throws DeadlineError (with the
 * failure as `cause`) so the caller stops and saves.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: WithRetryOptions,
): Promise<T> {
  const { retry, clock, signal } = options;
  const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (signal?.aborted) throw err;
      const decision = classifyError(err, clock.now());
      if (!decision.retryable || attempt >= retry.maxAttempts) throw err;
      const delayMs = decision.waitMs ?? backoffDelay(attempt, retry, options.random);
      if (clock.now() + delayMs > deadlineMs) {
        throw new DeadlineError(`a retry wait of ${delayMs} ms would pass the deadline`, { cause: err });
      }
      await options.onRetry?.({ attempt, delayMs, error: err, serverTimed: decision.waitMs !== undefined });
      await clock.sleep(delayMs, signal);
    }
  }
}
