/**
 * The run history in the checkpoint table: one item per execution, keyed `#run#<started_at>#<correlation
 * id>` (a stream name never starts with `#run#`: the checkpoint store skips these keys), holding the
 * record as JSON and `expires_at`, the table's TTL attribute (infra/template.yaml), 90 days ahead.
 * Written with UpdateItem, the action the Lambda already holds; read by Scan (status and report only).
 */
import {
  type AttributeValue,
  DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RunHistoryQuery, RunHistoryStore, RunRecord } from '../../core/ports/run-history.js';
import { toAwsServiceError } from '../aws/errors.js';
import {
  decodeRun,
  encodeRun,
  HISTORY_KEY_PREFIX,
  HISTORY_TTL_DAYS,
  selectRuns,
  startedMs,
} from './run-history-query.js';

export { HISTORY_KEY_PREFIX };

/** The table's TTL attribute: epoch seconds after which DynamoDB deletes the item. */
export const HISTORY_TTL_ATTRIBUTE = 'expires_at';
/** Scan pages read at most by one `list` (a bound on the loop: 10,000 pages of up to 1 MB). */
const MAX_SCAN_PAGES = 10_000;

export interface DynamoDbRunHistoryOptions {
  readonly tableName: string;
  /** @default a new DynamoDBClient from the SDK's standard environment */
  readonly client?: DynamoDBClient;
  /** Days an item lives. @default 90 */
  readonly ttlDays?: number;
  /** Epoch ms, for the TTL. @default Date.now */
  readonly now?: () => number;
}

/** RunHistoryStore on items of the DynamoDB checkpoint table, expired by TTL. */
export class DynamoDbRunHistory implements RunHistoryStore {
  readonly tableName: string;
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #ttlDays: number;
  readonly #now: () => number;

  constructor(options: DynamoDbRunHistoryOptions) {
    this.tableName = options.tableName;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new DynamoDBClient({});
    this.#ttlDays = options.ttlDays ?? HISTORY_TTL_DAYS;
    this.#now = options.now ?? Date.now;
  }

  async record(run: RunRecord): Promise<void> {
    const expiresAt = Math.floor(this.#now() / 1000) + this.#ttlDays * 86_400;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { stream: { S: `${HISTORY_KEY_PREFIX}${run.started_at}#${run.correlation_id}` } },
          UpdateExpression: 'SET #record = :record, started_at_ms = :started, #ttl = :ttl',
          ExpressionAttributeNames: { '#record': 'run_record', '#ttl': HISTORY_TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':record': { S: encodeRun(run) },
            ':started': { N: String(startedMs(run)) },
            ':ttl': { N: String(expiresAt) },
          },
        }),
      );
    } catch (error) {
      throw toAwsServiceError('DynamoDB', 'recordRun', error);
    }
  }

  async list(query: RunHistoryQuery = {}): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      let out: ScanCommandOutput;
      try {
        out = await this.#client.send(
          new ScanCommand({
            TableName: this.tableName,
            ExclusiveStartKey: start,
            FilterExpression: 'begins_with(#key, :prefix) AND started_at_ms >= :since',
            ExpressionAttributeNames: { '#key': 'stream' },
            ExpressionAttributeValues: {
              ':prefix': { S: HISTORY_KEY_PREFIX },
              ':since': { N: String(query.sinceMs ?? 0) },
            },
          }),
        );
      } catch (error) {
        throw toAwsServiceError('DynamoDB', 'listRuns', error);
      }
      for (const item of out.Items ?? []) {
        const text = item.run_record?.S;
        if (text !== undefined) runs.push(decodeRun(text));
      }
      start = out.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return selectRuns(runs, query);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }
}
