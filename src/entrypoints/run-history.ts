/**
 * Opens the run history beside the checkpoints a `--store` names, and records an execution in it.
 * The history lives in the same place as the checkpoints: the SQLite file, the DynamoDB table.
 */
import { existsSync } from 'node:fs';
import { MemoryRunHistory } from '../adapters/stores/run-history-memory.js';
import { SqliteRunHistory } from '../adapters/stores/run-history-sqlite.js';
import type { StoreLocation } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import type { RunHistoryStore } from '../core/ports/run-history.js';
import { type RunRecordExtras, toRunRecord } from '../core/run-history.js';
import type { RunSummary } from '../core/run-types.js';
import { openSqliteStore } from './sqlite-open.js';

export interface OpenRunHistoryOptions {
  /** For status and report: nothing is created, and a missing SQLite file is a ConfigError naming --store. @default false */
  readonly readonly?: boolean;
  /** DynamoDB: the table's partition key (an adopted table may name it otherwise). @default 'stream' */
  readonly keyAttribute?: string;
}

/** The run history of the store at `location`. The caller closes it. */
export async function openRunHistory(
  location: StoreLocation,
  options: OpenRunHistoryOptions = {},
): Promise<RunHistoryStore> {
  switch (location.kind) {
    case 'sqlite':
      if (options.readonly === true && !existsSync(location.path)) {
        throw new ConfigError(
          `invalid --store: ${location.path} does not exist (no run recorded yet)`,
          '--store',
        );
      }
      return openSqliteStore(
        location.path,
        () => new SqliteRunHistory({ path: location.path, readonly: options.readonly ?? false }),
      );
    case 'memory':
      return new MemoryRunHistory();
    case 'dynamodb': {
      const { DynamoDbRunHistory } = await import('../adapters/stores/run-history-dynamodb.js');
      return new DynamoDbRunHistory({
        tableName: location.table,
        ...(options.keyAttribute === undefined ? {} : { keyAttribute: options.keyAttribute }),
      });
    }
  }
}

/**
 * Records one execution in the history at `location`. Never throws: the posts and checkpoints are
 * already safe, so a history that cannot be written is reported through `onError` and the run stands.
 */
export async function recordRun(
  location: StoreLocation,
  summary: RunSummary,
  nowMs: number,
  onError: (message: string) => void,
  extras: RunRecordExtras = {},
  open: OpenRunHistoryOptions = {},
): Promise<void> {
  let history: RunHistoryStore | undefined;
  try {
    history = await openRunHistory(location, open);
    await history.record(toRunRecord(summary, nowMs, extras));
  } catch (error) {
    onError(
      `could not record the run in the history: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await history?.close().catch(() => undefined);
  }
}
