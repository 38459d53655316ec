import { afterAll, beforeAll } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { describeCheckpointStoreContract } from '../contract/checkpoint-store.contract.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => db?.close());

describeCheckpointStoreContract('dynamodb (dynalite, real AWS SDK)', async () => {
  const client = db.client();
  const store = new DynamoDbCheckpointStore({ tableName: await db.createTable(), client });
  return {
    store,
    async cleanup() {
      await store.close();
      client.destroy();
    },
  };
});
