/**
 * SpendLedger in the checkpoint table (partition key `stream`), on items no checkpoint can be
 * mistaken for (they have no `since_id`, so `list()` skips them). Only GetItem and UpdateItem: the
 * Lambda's IAM policy needs nothing new.
 *
 * | item key                              | attributes                                           |
 * |---------------------------------------|------------------------------------------------------|
 * | `$twitter-poller:spend#YYYY-MM`       | `total` N; `d#DD` N per day; `s#DD#<stream>` N       |
 * | `$twitter-poller:reads#<stream>`      | `day` S, `ids` S (JSON list of the day's read ids)   |
 * | `$twitter-poller:credits`             | `depleted_at` S (absent when cleared)                |
 *
 * recordRead = GetItem (the stream's reads), UpdateItem `ADD` on the month item (atomic, shared by
 * every process), then UpdateItem of the reads. A crash between the last two only makes a re-read
 * billed again: the totals can be overstated, never understated.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type {
  RecordedRead,
  SpendLedger,
  SpendTotals,
  StreamDaySpend,
} from '../../core/ports/spend-ledger.js';
import { billPage, monthOf } from '../../core/spend.js';
import { callDynamoDb, getItemConsistently } from './dynamodb-calls.js';

import { SPEND_KEY_PREFIX as PREFIX } from './table-items.js';

export interface DynamoDbSpendLedgerOptions {
  readonly tableName: string;
  /** @default a new DynamoDBClient from the SDK's standard environment */
  readonly client?: DynamoDBClient;
  /** The table's partition key (an adopted table may name it otherwise). @default 'stream' */
  readonly keyAttribute?: string;
}

/** SpendLedger on the DynamoDB checkpoint table. */
export class DynamoDbSpendLedger implements SpendLedger {
  readonly #table: string;
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #key: string;

  constructor(options: DynamoDbSpendLedgerOptions) {
    this.#table = options.tableName;
    this.#key = options.keyAttribute ?? 'stream';
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new DynamoDBClient({});
  }

  async recordRead(stream: string, ids: readonly string[], day: string): Promise<RecordedRead> {
    const readsKey = `${PREFIX}reads#${stream}`;
    const reads = await this.#get(readsKey);
    const before = reads?.day?.S === day ? (JSON.parse(reads.ids?.S ?? '[]') as string[]) : [];
    const { billed, remembered } = billPage(before, ids);
    const dd = day.slice(8, 10);
    const out = await this.#send('recordRead', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { [this.#key]: { S: `${PREFIX}spend#${monthOf(day)}` } },
          UpdateExpression: 'ADD #total :n, #day :n, #stream :n',
          ExpressionAttributeNames: { '#total': 'total', '#day': `d#${dd}`, '#stream': `s#${dd}#${stream}` },
          ExpressionAttributeValues: { ':n': { N: String(billed) } },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    await this.#send('recordRead', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { [this.#key]: { S: readsKey } },
          UpdateExpression: 'SET #day = :day, #ids = :ids',
          ExpressionAttributeNames: { '#day': 'day', '#ids': 'ids' },
          ExpressionAttributeValues: { ':day': { S: day }, ':ids': { S: JSON.stringify(remembered) } },
        }),
      ),
    );
    const item = out.Attributes ?? {};
    return { billed, dayPosts: Number(item[`d#${dd}`]?.N ?? 0), monthPosts: Number(item.total?.N ?? 0) };
  }

  async totals(day: string): Promise<SpendTotals> {
    const item = await this.#get(`${PREFIX}spend#${monthOf(day)}`);
    return {
      dayPosts: Number(item?.[`d#${day.slice(8, 10)}`]?.N ?? 0),
      monthPosts: Number(item?.total?.N ?? 0),
    };
  }

  async streamsOnDay(day: string): Promise<StreamDaySpend[]> {
    const item = (await this.#get(`${PREFIX}spend#${monthOf(day)}`)) ?? {};
    const prefix = `s#${day.slice(8, 10)}#`;
    return Object.entries(item)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => ({ stream: name.slice(prefix.length), posts: Number(value.N ?? 0) }))
      .sort((a, b) => a.stream.localeCompare(b.stream));
  }

  async creditsDepletedAt(): Promise<string | null> {
    return (await this.#get(`${PREFIX}credits`))?.depleted_at?.S ?? null;
  }

  async setCreditsDepleted(at: string | null): Promise<void> {
    await this.#send('setCreditsDepleted', () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { [this.#key]: { S: `${PREFIX}credits` } },
          ...(at === null
            ? { UpdateExpression: 'REMOVE depleted_at' }
            : { UpdateExpression: 'SET depleted_at = :at', ExpressionAttributeValues: { ':at': { S: at } } }),
        }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }

  #get(key: string) {
    return getItemConsistently(this.#client, this.#table, { [this.#key]: { S: key } }, (call) =>
      this.#send('load', call),
    );
  }

  #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callDynamoDb(`spend ${operation}`, call);
  }
}
