/**
 * `twitter-poller migrate`: what adopting a table would do to each item, and doing it. The plan is
 * a consistent Scan classified by the same decoder the store loads with (checkpoint-item.ts), so the
 * dry run and the first scheduled run cannot disagree; applying it is the store's own load, whose
 * adoption write is conditional on the item being unchanged since it was read.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../core/errors.js';
import { type AdoptionSource, decodeItem, type Item } from '../aws/checkpoint-item.js';
import type { CheckpointLayout } from '../aws/checkpoint-layout.js';
import { awsErrorName, toAwsServiceError } from '../aws/errors.js';
import { DynamoDbCheckpointStore } from './dynamodb.js';
import { isCheckpointKey } from './table-items.js';

/** What one item becomes. */
export type MigrationAction = 'adopt' | 'current' | 'new' | 'corrupt';

/** One item of the plan (one JSON line of `migrate --json`). */
export interface MigrationEntry {
  /** The key attribute's value; null when the item lacks the configured key attribute. */
  readonly stream: string | null;
  readonly action: MigrationAction;
  /** For `adopt`: what is adopted (legacy string, this poller's first layout, a rollback). */
  readonly from?: AdoptionSource;
  /** The since_id the stream resumes from (adopt, current). */
  readonly since_id?: string;
  /** For `corrupt`: why, naming the attribute. */
  readonly reason?: string;
}

export interface MigrationOptions {
  readonly tableName: string;
  readonly layout: CheckpointLayout;
  /** @default a new DynamoDBClient from the SDK's standard environment */
  readonly client?: DynamoDBClient;
  /** Epoch ms for `updated_at` of adopted items. @default Date.now */
  readonly now?: () => number;
}

function classify(item: Item, layout: CheckpointLayout): MigrationEntry {
  const stream = item[layout.keyAttribute]?.S;
  if (stream === undefined) {
    const names = Object.keys(item).sort().join(', ');
    return {
      stream: null,
      action: 'corrupt',
      reason: `lacks the key attribute "${layout.keyAttribute}" as a string (its attributes: ${names})`,
    };
  }
  try {
    const decoded = decodeItem(stream, item, layout);
    switch (decoded.kind) {
      case 'empty':
        return { stream, action: 'new' };
      case 'current':
        return { stream, action: 'current', since_id: decoded.checkpoint.sinceId };
      case 'adopt':
        return { stream, action: 'adopt', from: decoded.from, since_id: decoded.sinceId };
    }
  } catch (error) {
    return { stream, action: 'corrupt', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Every item of the table and what adoption makes of it, in key order. Throws ConfigError for a missing table. */
export async function planMigration(options: MigrationOptions): Promise<MigrationEntry[]> {
  const client = options.client ?? new DynamoDBClient({});
  const out: MigrationEntry[] = [];
  try {
    let start: Item | undefined;
    // Bounded: DynamoDB pages a Scan by 1 MB and the table is finite; a cursor that repeats stops it.
    const seen = new Set<string>();
    do {
      const page = await client
        .send(
          new ScanCommand({ TableName: options.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
        )
        .catch((error: unknown) => {
          if (awsErrorName(error) === 'ResourceNotFoundException') {
            throw new ConfigError(`invalid --store: table ${options.tableName} does not exist`, '--store', {
              cause: error,
            });
          }
          throw toAwsServiceError('DynamoDB', 'migrate', error);
        });
      for (const item of page.Items ?? []) {
        // Run-history and spend-ledger items share the table: not checkpoints, nothing to adopt.
        const key = item[options.layout.keyAttribute]?.S;
        if (key !== undefined && !isCheckpointKey(key)) continue;
        out.push(classify(item, options.layout));
      }
      start = page.LastEvaluatedKey;
      const cursor = JSON.stringify(start ?? null);
      if (start !== undefined && seen.has(cursor)) break;
      seen.add(cursor);
    } while (start !== undefined);
  } finally {
    if (options.client === undefined) client.destroy();
  }
  return out.sort((a, b) =>
    (a.stream ?? '') < (b.stream ?? '') ? -1 : (a.stream ?? '') > (b.stream ?? '') ? 1 : 0,
  );
}

/** Adopts every `adopt` entry of `plan` (the store's load performs the conditional write); returns the results. */
export async function applyMigration(
  plan: readonly MigrationEntry[],
  options: MigrationOptions,
): Promise<MigrationEntry[]> {
  const store = new DynamoDbCheckpointStore({
    tableName: options.tableName,
    layout: options.layout,
    ...(options.client === undefined ? {} : { client: options.client }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const out: MigrationEntry[] = [];
  try {
    for (const entry of plan) {
      if (entry.action !== 'adopt' || entry.stream === null) {
        out.push(entry);
        continue;
      }
      const checkpoint = await store.load(entry.stream);
      out.push({ ...entry, ...(checkpoint === null ? {} : { since_id: checkpoint.sinceId }) });
    }
  } finally {
    await store.close();
  }
  return out;
}
