/**
 * Opens the app-wide rate budget next to the checkpoint store (same SQLite file, same DynamoDB
 * table, or memory) and the rate limiter that consults it. The DynamoDB adapter is loaded with
 * `import()` only for a dynamodb store, like the checkpoint store.
 */
import { MemoryRateBudgetStore } from '../adapters/stores/memory-rate-budget.js';
import { SqliteRateBudgetStore } from '../adapters/stores/sqlite-rate-budget.js';
import type { StoreLocation } from '../config/types.js';
import type { RateBudgetStore } from '../core/ports/rate-budget.js';

import { openSqliteStore } from './sqlite-open.js';

export { processHolder, type SharedLimiter, sharedLimiter } from './shared-limiter.js';

/** Opens the budget records of the store at `location`. */
export async function openRateBudgetStore(
  location: StoreLocation,
  options: { readonly readOnly?: boolean; readonly keyAttribute?: string | undefined } = {},
): Promise<RateBudgetStore> {
  switch (location.kind) {
    case 'sqlite':
      return openSqliteStore(
        location.path,
        () => new SqliteRateBudgetStore({ path: location.path, readOnly: options.readOnly ?? false }),
      );
    case 'memory':
      return new MemoryRateBudgetStore();
    case 'dynamodb': {
      const { DynamoDbRateBudgetStore } = await import('../adapters/stores/dynamodb-rate-budget.js');
      return new DynamoDbRateBudgetStore({
        tableName: location.table,
        ...(options.keyAttribute === undefined ? {} : { keyAttribute: options.keyAttribute }),
      });
    }
  }
}
