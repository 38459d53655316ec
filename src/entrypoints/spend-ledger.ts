/** Issue 12: the spend ledger that goes with a `--store` location (the same file, table or process). */
import { existsSync } from 'node:fs';
import { MemorySpendLedger } from '../adapters/stores/memory-spend-ledger.js';
import { SqliteSpendLedger } from '../adapters/stores/sqlite-spend-ledger.js';
import type { StoreLocation } from '../config/types.js';
import type { SpendLedger } from '../core/ports/spend-ledger.js';
import { openSqliteStore } from './sqlite-open.js';

/**
 * Opens the SpendLedger kept beside the checkpoints of `location`. `readonly` (for `status`) creates
 * nothing: a SQLite file that does not exist reads as no spend.
 */
export async function openSpendLedger(
  location: StoreLocation,
  options: { readonly readonly?: boolean; readonly keyAttribute?: string | undefined } = {},
): Promise<SpendLedger> {
  switch (location.kind) {
    case 'sqlite':
      if (options.readonly === true && !existsSync(location.path)) return new MemorySpendLedger();
      return openSqliteStore(
        location.path,
        () => new SqliteSpendLedger({ path: location.path, readonly: options.readonly ?? false }),
      );
    case 'memory':
      return new MemorySpendLedger();
    case 'dynamodb': {
      const { DynamoDbSpendLedger } = await import('../adapters/stores/dynamodb-spend-ledger.js');
      return new DynamoDbSpendLedger({
        tableName: location.table,
        ...(options.keyAttribute === undefined ? {} : { keyAttribute: options.keyAttribute }),
      });
    }
  }
}
