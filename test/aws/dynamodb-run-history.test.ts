import { readFileSync } from 'node:fs';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import {
  DynamoDbRunHistory,
  HISTORY_KEY_PREFIX,
  HISTORY_TTL_ATTRIBUTE,
} from '../../src/adapters/stores/run-history-dynamodb.js';
import { decodeRun, HISTORY_TTL_DAYS } from '../../src/adapters/stores/run-history-query.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { MetricName } from '../../src/core/ports/observability.js';
import { describeRunHistoryContract, run } from '../contract/run-history.contract.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => db?.close());

describeRunHistoryContract('dynamodb (dynalite, real AWS SDK)', async () => {
  const client = db.client();
  const history = new DynamoDbRunHistory({ tableName: await db.createTable(), client });
  return {
    history,
    async cleanup() {
      await history.close();
      client.destroy();
    },
  };
});

describe('DynamoDbRunHistory in the checkpoint table', () => {
  it(`gives every item a TTL ${HISTORY_TTL_DAYS} days after it was written`, async () => {
    // Prepare
    const client = db.client();
    const tableName = await db.createTable();
    const nowMs = Date.UTC(2027, 0, 15, 6, 0, 0);
    const history = new DynamoDbRunHistory({ tableName, client, now: () => nowMs });

    // Act
    await history.record(run(0));
    await history.record(run(1));

    // Assess
    const items = (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.stream?.S?.startsWith(HISTORY_KEY_PREFIX)).toBe(true);
      expect(Number(item[HISTORY_TTL_ATTRIBUTE]?.N)).toBe(nowMs / 1000 + 90 * 86_400);
    }
    const one = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { stream: { S: `${HISTORY_KEY_PREFIX}${run(0).started_at}#exec-0` } },
      }),
    );
    expect(decodeRun(one.Item?.run_record?.S ?? '{}')).toEqual(run(0));
    await history.close();
    client.destroy();
  });

  it('is not mistaken for checkpoints: the store lists and loads only its own items', async () => {
    const client = db.client();
    const tableName = await db.createTable();
    const store = new DynamoDbCheckpointStore({ tableName, client });
    const history = new DynamoDbRunHistory({ tableName, client });
    const lease = (await store.acquireLease('a', 'exec-1', 60_000, Date.now()))!;
    const cp = {
      stream: 'a',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId: '1578516068309794817',
      sweep: null,
      updatedAt: '2027-01-15T08:00:00.000Z',
      writer: 'exec-1',
    } as const;
    await store.save(cp, lease);
    await history.record(run(0));
    expect(await store.list()).toEqual([cp]);
    expect((await history.list()).map((r) => r.correlation_id)).toEqual(['exec-0']);
    await store.close();
    await history.close();
    client.destroy();
  });

  it('the SAM template turns on the TTL on that attribute and charts the freshness lag', () => {
    const template = readFileSync(new URL('../../infra/template.yaml', import.meta.url), 'utf8');
    expect(template).toMatch(
      new RegExp(`TimeToLiveSpecification:\\s+AttributeName: ${HISTORY_TTL_ATTRIBUTE}\\s+Enabled: true`),
    );
    expect(template).toContain(`"${MetricName.freshnessLagSeconds}"`);
  });
});
