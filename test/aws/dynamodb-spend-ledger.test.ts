import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { DynamoDbSpendLedger } from '../../src/adapters/stores/dynamodb-spend-ledger.js';
import { describeSpendLedgerContract } from '../contract/spend-ledger.contract.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => db?.close());

describeSpendLedgerContract('dynamodb (dynalite, real AWS SDK)', async () => {
  const client = db.client();
  const tableName = await db.createTable();
  const ledger = new DynamoDbSpendLedger({ tableName, client });
  const other = new DynamoDbSpendLedger({ tableName, client });
  return {
    ledger,
    other,
    async cleanup() {
      client.destroy();
    },
  };
});

it('keeps its items out of the checkpoint list of the same table', async () => {
  const client = db.client();
  const tableName = await db.createTable();
  const ledger = new DynamoDbSpendLedger({ tableName, client });
  const store = new DynamoDbCheckpointStore({ tableName, client });
  await ledger.recordRead('a', ['1', '2'], '2026-12-01');
  await ledger.setCreditsDepleted('2026-12-01T00:00:00.000Z');
  expect(await store.list()).toEqual([]);
  client.destroy();
});
