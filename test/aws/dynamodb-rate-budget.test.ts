/**
 * The shared rate budget's items in the checkpoint table (issue 11) under issue 13's configurable key
 * attribute: keyed by the table's key, and skipped by the checkpoint list and `migrate`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { planMigration } from '../../src/adapters/stores/dynamodb-migration.js';
import {
  BUDGET_KEY_PREFIX,
  DynamoDbRateBudgetStore,
} from '../../src/adapters/stores/dynamodb-rate-budget.js';
import { isCheckpointKey } from '../../src/adapters/stores/table-items.js';
import { buildLayout } from '../../src/config/adoption.js';
import { emptyBudget } from '../../src/core/rate-budget.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => db?.close());

it('is not a checkpoint key', () => {
  expect(isCheckpointKey(`${BUDGET_KEY_PREFIX}search_recent`)).toBe(false);
  expect(isCheckpointKey('search:news')).toBe(true);
});

it('keys its items by the configured key attribute; list and migrate skip them', async () => {
  const client = db.client();
  const tableName = await db.createTable(undefined, 'tweet_stream');
  const layout = buildLayout('tweet_stream', undefined, { key: 'key', legacy: 'legacy' });
  const budgets = new DynamoDbRateBudgetStore({ tableName, client, keyAttribute: 'tweet_stream' });
  const state = emptyBudget('search_recent', Date.now());
  expect(await budgets.write(state, 0)).toBe(true);
  const read = await budgets.read('search_recent');
  expect(read.version).toBe(1);
  expect(read.state?.key).toBe('search_recent');
  expect(await budgets.write(state, 0)).toBe(false); // the version moved: a lost race
  expect((await budgets.list()).map((b) => b.key)).toEqual(['search_recent']);
  const store = new DynamoDbCheckpointStore({ tableName, client, layout });
  expect(await store.list()).toEqual([]);
  expect(await planMigration({ tableName, client, layout })).toEqual([]);
  client.destroy();
});
