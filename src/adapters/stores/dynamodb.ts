/**
 * DynamoDB checkpoint store: one item per stream holding the checkpoint and its lease, so a single
 * conditional write checks the fence and the monotonic since_id atomically. See
 * ../aws/checkpoint-writes.ts for the conditions and ../aws/checkpoint-item.ts for the item.
 */
import {
  DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { LEGACY_MIGRATION_WRITER, parseCheckpoint } from '../../core/checkpoint.js';
import { CheckpointConflictError } from '../../core/errors.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';
import type { Logger } from '../../core/ports/observability.js';
import {
  type Adoption,
  checkpointView,
  decodeItem,
  type Item,
  itemHoldsCheckpoint,
} from '../aws/checkpoint-item.js';
import { type CheckpointLayout, DEFAULT_LAYOUT } from '../aws/checkpoint-layout.js';
import {
  acquireInput,
  adoptInput,
  releaseInput,
  renewInput,
  resetInput,
  saveInput,
} from '../aws/checkpoint-writes.js';
import { AwsServiceError, awsErrorName, toAwsServiceError } from '../aws/errors.js';
import { getItemConsistently, isConditionFailure } from './dynamodb-calls.js';
import { isCheckpointKey } from './table-items.js';

/** DynamoDB actions a polling execution sends (load, save, leases): the Lambda's IAM policy. */
export const DYNAMODB_RUNTIME_ACTIONS = ['GetItem', 'UpdateItem'] as const;
/** Actions of the maintenance paths: `list` and `migrate` (Scan), `reset` (UpdateItem), `ensureTable`. */
export const DYNAMODB_ADMIN_ACTIONS = ['Scan', 'UpdateItem', 'CreateTable', 'DescribeTable'] as const;

/** Writer recorded on an item upgraded from the legacy format (the one core's migration uses). */
export { LEGACY_MIGRATION_WRITER };

export interface DynamoDbCheckpointStoreOptions {
  readonly tableName: string;
  /**
   * The key attribute and the old poller's string since_id attribute (adopting an existing table).
   * @default { keyAttribute: 'stream', legacySinceIdAttribute: 'since_id' }
   */
  readonly layout?: CheckpointLayout;
  /** @default a new DynamoDBClient from the SDK's standard environment (region, credentials, AWS_ENDPOINT_URL_DYNAMODB) */
  readonly client?: DynamoDBClient;
  /** Logs adoptions (`checkpoint_migrated`); give it the execution's correlation_id. @default no logging */
  readonly logger?: Logger;
  /** Epoch ms for the `updated_at` of a migration. @default Date.now */
  readonly now?: () => number;
  /** Test-only: called once a checkpoint write's UpdateItem was answered, before the answer is processed. @default none */
  readonly onWrite?: () => void;
}

/**
 * CheckpointStore on a DynamoDB table with a string partition key (`stream` by default), adopting
 * the items of the poller it replaces (see ../aws/checkpoint-layout.ts).
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  readonly tableName: string;
  readonly layout: CheckpointLayout;
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #onWrite: (() => void) | undefined;

  constructor(options: DynamoDbCheckpointStoreOptions) {
    this.tableName = options.tableName;
    this.layout = options.layout ?? DEFAULT_LAYOUT;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new DynamoDBClient({});
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#onWrite = options.onWrite;
  }

  async load(stream: string): Promise<Checkpoint | null> {
    return this.#fromItem(stream, await this.#get(stream));
  }

  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    parseCheckpoint(checkpoint, checkpoint.stream); // nothing corrupt is ever written
    try {
      await this.#update('save', saveInput(this.tableName, checkpoint, lease, this.layout));
      this.#onWrite?.();
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // After an SDK retry the failed condition may be our own first attempt having landed (and the
      // lease moved on since): the item then holds exactly what we wrote.
      const current = error.Item ?? (await this.#get(checkpoint.stream));
      if (itemHoldsCheckpoint(current, checkpoint, this.layout)) return;
      throw new CheckpointConflictError(
        `checkpoint write of stream "${checkpoint.stream}" lost: lease fence ${lease.fence} is stale or since_id would regress`,
        checkpoint.stream,
        { cause: error },
      );
    }
  }

  async acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    const expiresAtMs = nowMs + ttlMs;
    try {
      const out = await this.#update(
        'acquireLease',
        acquireInput(this.tableName, stream, owner, expiresAtMs, nowMs, this.layout),
      );
      const fence = out.Attributes?.lease_fence?.N;
      if (fence === undefined) throw new Error('UpdateItem returned no lease_fence');
      return { stream, owner, fence: Number(fence), expiresAtMs };
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    const expiresAtMs = nowMs + ttlMs;
    try {
      await this.#update('renewLease', renewInput(this.tableName, lease, expiresAtMs, this.layout));
      return { ...lease, expiresAtMs };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new CheckpointConflictError(`lease of stream "${lease.stream}" was lost`, lease.stream, {
        cause: error,
      });
    }
  }

  async releaseLease(lease: Lease): Promise<void> {
    try {
      await this.#update('releaseLease', releaseInput(this.tableName, lease, this.layout));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async list(): Promise<Checkpoint[]> {
    const out: Checkpoint[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#send('list', () =>
        this.#client.send(
          new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
        ),
      );
      for (const item of page.Items ?? []) {
        const stream = item[this.layout.keyAttribute]?.S;
        // Run-history and spend-ledger items share the table; they are not checkpoints.
        if (stream === undefined || !isCheckpointKey(stream)) continue;
        // Read-only (status): an item still to adopt is shown as it will be, not adopted here.
        const checkpoint = checkpointView(stream, item, this.layout);
        if (checkpoint !== null) out.push(checkpoint);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  }

  async reset(stream: string): Promise<void> {
    try {
      await this.#update('reset', resetInput(this.tableName, stream, this.layout));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }

  /** The raw item of `stream` (for `migrate`'s plan). */
  getItem(stream: string): Promise<Item | undefined> {
    return this.#get(stream);
  }

  async #fromItem(stream: string, item: Item | undefined): Promise<Checkpoint | null> {
    const decoded = decodeItem(stream, item, this.layout);
    if (decoded.kind === 'empty') return null;
    if (decoded.kind === 'current') return decoded.checkpoint;
    return this.#adopt(stream, decoded);
  }

  async #adopt(stream: string, adoption: Adoption): Promise<Checkpoint | null> {
    const updatedAt = new Date(this.#now()).toISOString();
    try {
      const out = await this.#update(
        'migrate',
        adoptInput(this.tableName, stream, adoption, updatedAt, LEGACY_MIGRATION_WRITER, this.layout),
      );
      this.#logger?.log('info', 'checkpoint_migrated', {
        stream,
        since_id: adoption.sinceId,
        from: adoption.from,
        legacy_attribute: this.layout.legacySinceIdAttribute,
      });
      const decoded = decodeItem(stream, out.Attributes, this.layout);
      return decoded.kind === 'current' ? decoded.checkpoint : null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Someone else changed the item first (another migrator, or a writer): read what is there now.
      const decoded = decodeItem(stream, await this.#get(stream), this.layout);
      if (decoded.kind === 'adopt') {
        throw new CheckpointConflictError(
          `legacy checkpoint of stream "${stream}" changed during migration`,
          stream,
        );
      }
      return decoded.kind === 'current' ? decoded.checkpoint : null;
    }
  }

  #get(stream: string): Promise<Item | undefined> {
    return getItemConsistently(
      this.#client,
      this.tableName,
      { [this.layout.keyAttribute]: { S: stream } },
      (call) => this.#send('load', call),
    );
  }

  #update(operation: string, input: UpdateItemCommandInput) {
    return this.#send(operation, () => this.#client.send(new UpdateItemCommand(input)));
  }

  /** Runs one SDK call (the SDK retries throttling and 5xx); conditional failures pass through for the caller. */
  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      if (/key element does not match the schema/i.test((error as Error)?.message ?? '')) {
        throw new AwsServiceError(
          `DynamoDB ${operation} failed: the partition key of table ${this.tableName} is not "${this.layout.keyAttribute}" (the configured key attribute: CHECKPOINT_KEY_ATTRIBUTE or --dynamodb-key)`,
          'DynamoDB',
          operation,
          awsErrorName(error),
          false,
          { cause: error },
        );
      }
      throw toAwsServiceError('DynamoDB', operation, error);
    }
  }
}
