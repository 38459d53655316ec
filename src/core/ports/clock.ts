/** Time, injected so that core never calls Date.now() and tests never really sleep. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once the I/O started so far has had its turn (the real clock: setImmediate), so that a
   * request just made leaves before CPU work that follows it. Optional: without it, nothing waits.
   */
  yieldToIo?(): Promise<void>;
}
