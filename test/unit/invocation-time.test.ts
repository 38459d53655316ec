import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import { invocationTimes } from '../../src/entrypoints/invocation-time.js';

describe('invocationTimes', () => {
  it.each([
    // remaining, stopBeforeTimeout, timeBudget, hardStop
    [900_000, 60_000, 840_000, 870_000],
    [1_400, 1_000, 400, 900],
    [30_000, 60_000, 0, 0],
  ])('splits %i ms left with a %i ms stop-before-timeout', (remaining, stop, budget, hardStop) => {
    expect(invocationTimes(remaining, stop)).toEqual({ timeBudgetMs: budget, hardStopMs: hardStop });
  });

  it("takes the stop-before-timeout off once: the run's deadline is the budget less only its own commit reserve", () => {
    const { timeBudgetMs, hardStopMs } = invocationTimes(900_000, 60_000);
    const deadline = timeBudgetMs - DEFAULT_RUN_OPTIONS.finalCommitReserveMs;
    // 15 minutes - 60 s - 5 s: the final commit then has until the hard abort, 30 s before the timeout.
    expect(deadline).toBe(835_000);
    expect(hardStopMs - deadline).toBe(35_000);
  });
});
