/**
 * How a Lambda invocation's remaining time is split. Two margins come off it, each once, for
 * different things:
 *
 * ```
 * invocation start                                                           timeout
 * |------------------ run's timeBudgetMs ------------------|-- stopBeforeTimeoutMs --|
 * |---- requests and waits ----|--finalCommitReserveMs-----|    hardStopMs ^          |
 *                              ^ run deadline: nothing new starts after it
 * ```
 * - `stopBeforeTimeoutMs` (SAFETY_MARGIN_MS, the invocation's): the run's budget ends this long before
 *   the timeout; the hard abort fires halfway into it, should anything ignore the budget.
 * - `finalCommitReserveMs` (RunOptions, the run's own, which knows nothing of Lambda): inside the budget,
 *   the time kept for the final commit (sink flush and checkpoint write) after the last request.
 */

/** The run's budget and the hard abort of one invocation. */
export interface InvocationTimes {
  /** The run's `timeBudgetMs`: the remaining time less the stop-before-timeout margin. */
  readonly timeBudgetMs: number;
  /** When (ms from now) the invocation aborts the run: halfway into the stop-before-timeout margin. */
  readonly hardStopMs: number;
}

/** Splits `remainingMs` (context.getRemainingTimeInMillis()) as drawn above; never negative. */
export function invocationTimes(remainingMs: number, stopBeforeTimeoutMs: number): InvocationTimes {
  return {
    timeBudgetMs: Math.max(0, remainingMs - stopBeforeTimeoutMs),
    hardStopMs: Math.max(0, remainingMs - stopBeforeTimeoutMs / 2),
  };
}
