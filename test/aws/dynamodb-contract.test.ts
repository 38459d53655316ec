import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import {
  describeCheckpointRules,
  type RawCheckpoint,
  type RawValue,
} from '../contract/checkpoint-rules.contract.js';
import { describeCheckpointStoreContract } from '../contract/checkpoint-store.contract.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => db?.close());

/** Attributes of the item layout held as N (src/adapters/aws/checkpoint-item.ts); the others are S. */
const NUMBER_ATTRIBUTES = new Set([
  'schema_version',
  'since_id',
  'sweep_newest_id',
  'sweep_until_id',
  'fair_lag',
]);

/** A value as the item would hold it; what an N cannot hold (text that is not a number) is stored as S. */
function attribute(name: string, value: RawValue): AttributeValue {
  if (value instanceof Uint8Array) return { B: value };
  if (Array.isArray(value)) return { L: value.map((v) => ({ S: v })) };
  if (typeof value === 'number') return { N: String(value) };
  return NUMBER_ATTRIBUTES.has(name) && /^-?[0-9]+(\.[0-9]+)?$/.test(value as string)
    ? { N: value as string }
    : { S: value as string };
}

async function dynamoFixture() {
  const client = db.client();
  const tableName = await db.createTable();
  const store = new DynamoDbCheckpointStore({ tableName, client });
  const put = (Item: Record<string, AttributeValue>) =>
    client.send(new PutItemCommand({ TableName: tableName, Item }));
  return {
    store,
    async writeRaw(stream: string, fields: RawCheckpoint) {
      const item: Record<string, AttributeValue> = { stream: { S: stream } };
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        item[name === 'since_id' ? 'frontier_since_id' : name] = attribute(name, value);
      }
      await put(item);
    },
    async writeLegacy(stream: string, sinceId: string) {
      await put({ stream: { S: stream }, since_id: { S: sinceId } });
    },
    async cleanup() {
      await store.close();
      client.destroy();
    },
  };
}

describeCheckpointStoreContract('dynamodb (dynalite, real AWS SDK)', dynamoFixture);
// The item has no recent_ids attribute: DynamoDB checkpoints do not keep them (docs/architecture.md).
describeCheckpointRules('dynamodb (dynalite, real AWS SDK)', dynamoFixture, {
  notKept: ['recent_ids'],
  legacy: true,
});
