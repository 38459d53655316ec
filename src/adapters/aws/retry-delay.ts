/** Backoff of the sinks' own bounded retry loops (the SDK retries whole calls; these retry entries). */

export interface BackoffOptions {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** Sleeps `ms` or rejects when `signal` aborts. @default a setTimeout-based sleep */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Full-jitter exponential delay before attempt `attempt` (2 = first retry). */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 2));
  return Math.floor(Math.random() * ceiling);
}

/** An abortable setTimeout sleep. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
