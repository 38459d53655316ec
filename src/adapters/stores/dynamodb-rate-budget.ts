/**
 * The app-wide rate budget in the checkpoint table: one item per endpoint, keyed
 * `"#rate-budget#<endpoint>"` in the table's key attribute (`stream` unless configured: an adopted
 * table may name it otherwise). A stream name never starts with `#rate-budget#`, and listing,
 * status and `migrate` skip such items (table-items.ts `isCheckpointKey`). Written with one conditional UpdateItem:
 *
 * | write           | condition                                   |
 * |-----------------|---------------------------------------------|
 * | first (version 0) | `attribute_not_exists(budget_version)`    |
 * | later           | `budget_version = :version`                 |
 *
 * A condition failure is a lost race, also in the rare case that it answers an SDK retry of our own
 * earlier success: the holder then reads and grants again, and the first grant's slots, unknown to
 * it, only pass unused (the budget errs low). Not re-reading saves a call on every lost race, and
 * with many workers races are the common case.
 * Only GetItem and UpdateItem at run time, like the checkpoint store; `list` scans (status only).
 */
import { DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { BudgetState, RateBudgetStore, VersionedBudget } from '../../core/ports/rate-budget.js';
import { decodeBudget, encodeBudget } from './budget-record.js';
import { callDynamoDb, getItemConsistently, isConditionFailure } from './dynamodb-calls.js';
import { RATE_BUDGET_KEY_PREFIX } from './table-items.js';

/** Key prefix of budget items in the checkpoint table. */
export const BUDGET_KEY_PREFIX = RATE_BUDGET_KEY_PREFIX;

/** Options of {@link DynamoDbRateBudgetStore}. */
export interface DynamoDbRateBudgetStoreOptions {
  readonly tableName: string;
  /** @default a new DynamoDBClient from the SDK's standard environment */
  readonly client?: DynamoDBClient;
  /** The table's partition key (an adopted table may name it otherwise). @default 'stream' */
  readonly keyAttribute?: string;
  /** Epoch ms, for records that fail to parse. @default Date.now */
  readonly now?: () => number;
}

/** RateBudgetStore on the DynamoDB checkpoint table. */
export class DynamoDbRateBudgetStore implements RateBudgetStore {
  readonly tableName: string;
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #now: () => number;
  readonly #key: string;

  constructor(options: DynamoDbRateBudgetStoreOptions) {
    this.tableName = options.tableName;
    this.#key = options.keyAttribute ?? 'stream';
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new DynamoDBClient({});
    this.#now = options.now ?? Date.now;
  }

  async read(key: string): Promise<VersionedBudget> {
    const item = await this.#get(key);
    const version = Number(item?.budget_version?.N ?? '0');
    const text = item?.budget?.S;
    if (text === undefined || !Number.isInteger(version) || version <= 0) return { state: null, version: 0 };
    return { state: decodeBudget(key, text, this.#now()), version };
  }

  async write(state: BudgetState, version: number): Promise<boolean> {
    const text = encodeBudget(state);
    try {
      await this.#send('budgetWrite', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [this.#key]: { S: BUDGET_KEY_PREFIX + state.key } },
            UpdateExpression: 'SET budget = :budget, budget_version = :next',
            ConditionExpression:
              version === 0 ? 'attribute_not_exists(budget_version)' : 'budget_version = :version',
            ExpressionAttributeValues: {
              ':budget': { S: text },
              ':next': { N: String(version + 1) },
              ...(version === 0 ? {} : { ':version': { N: String(version) } }),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async list(): Promise<BudgetState[]> {
    const out: BudgetState[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#send('budgetList', () =>
        this.#client.send(
          new ScanCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(#key, :prefix)',
            ExpressionAttributeNames: { '#key': this.#key },
            ExpressionAttributeValues: { ':prefix': { S: BUDGET_KEY_PREFIX } },
            ...(start === undefined ? {} : { ExclusiveStartKey: start as never }),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const key = item[this.#key]?.S?.slice(BUDGET_KEY_PREFIX.length);
        const text = item.budget?.S;
        if (key !== undefined && text !== undefined) out.push(decodeBudget(key, text, this.#now()));
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }

  #get(key: string) {
    return getItemConsistently(
      this.#client,
      this.tableName,
      { [this.#key]: { S: BUDGET_KEY_PREFIX + key } },
      (call) => this.#send('budgetRead', call),
    );
  }

  #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callDynamoDb(operation, call);
  }
}
