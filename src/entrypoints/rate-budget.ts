/**
 * Opens the app-wide rate budget next to the checkpoint store (same SQLite file, same DynamoDB
 * table, or memory) and the rate limiter that consults it. The DynamoDB adapter is loaded with
 * `import()` only for a dynamodb store, like the checkpoint store.
 */
import { hostname } from 'node:os';
import { MemoryRateBudgetStore } from '../adapters/stores/memory-rate-budget.js';
import { SqliteRateBudgetStore } from '../adapters/stores/sqlite-rate-budget.js';
import type { StoreLocation } from '../config/types.js';
import type { Clock } from '../core/ports/clock.js';
import type { RateBudgetStore } from '../core/ports/rate-budget.js';
import { RateLimiter } from '../core/rate-limiter.js';
import type { RunOptions } from '../core/run-types.js';
import { SharedRateBudget } from '../core/shared-rate-budget.js';

/** Opens the budget records of the store at `location`. */
export async function openRateBudgetStore(
  location: StoreLocation,
  options: { readonly readOnly?: boolean } = {},
): Promise<RateBudgetStore> {
  switch (location.kind) {
    case 'sqlite':
      return new SqliteRateBudgetStore({ path: location.path, readOnly: options.readOnly ?? false });
    case 'memory':
      return new MemoryRateBudgetStore();
    case 'dynamodb': {
      const { DynamoDbRateBudgetStore } = await import('../adapters/stores/dynamodb-rate-budget.js');
      return new DynamoDbRateBudgetStore({ tableName: location.table });
    }
  }
}

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
