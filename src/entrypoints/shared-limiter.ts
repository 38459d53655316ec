/**
 * The rate limiter of an execution on the app-wide shared budget. Kept apart from the store opening
 * (rate-budget.ts, which loads SQLite) so that the Lambda bundle never pulls in the CLI's adapters.
 */
import { hostname } from 'node:os';
import type { Clock } from '../core/ports/clock.js';
import type { RateBudgetStore } from '../core/ports/rate-budget.js';
import { RateLimiter } from '../core/rate-limiter.js';
import type { RunOptions } from '../core/run-types.js';
import { SharedRateBudget } from '../core/shared-rate-budget.js';

/** The holder name a process writes: host and pid (what an operator can find and kill). */
export function processHolder(): string {
  return `${hostname()}:${process.pid}`;
}

/** A rate limiter on the shared budget, and how to give the budget back. */
export interface SharedLimiter {
  readonly limiter: RateLimiter;
  readonly budget: SharedRateBudget;
  /** Gives back unused slots, writes the last headers, closes the budget store. */
  close(): Promise<void>;
}

/** Builds the limiter of an execution on the shared budget of `store`. */
export function sharedLimiter(
  store: RateBudgetStore,
  clock: Clock,
  run: Pick<RunOptions, 'minIntervalMs' | 'pacingThreshold'>,
  holder = processHolder(),
): SharedLimiter {
  const budget = new SharedRateBudget({
    store,
    clock,
    holder,
    minIntervalMs: run.minIntervalMs,
    pacingThreshold: run.pacingThreshold,
  });
  const limiter = new RateLimiter({
    clock,
    minIntervalMs: run.minIntervalMs,
    pacingThreshold: run.pacingThreshold,
    shared: budget,
  });
  return {
    limiter,
    budget,
    async close() {
      try {
        await budget.release();
      } finally {
        await store.close();
      }
    },
  };
}
