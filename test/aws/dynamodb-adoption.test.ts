/**
 * Adopting the table of the poller this project replaces: a custom key attribute, the legacy string
 * since_id kept beside the numeric frontier and rewritten by every commit, a rollback and roll
 * forward again, and the items that are corrupt rather than new. DynamoDB is dynalite on loopback.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointLayout } from '../../src/adapters/aws/checkpoint-layout.js';
import { AwsServiceError } from '../../src/adapters/aws/errors.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { CorruptCheckpointError } from '../../src/core/errors.js';
import type { LogFields } from '../../src/core/ports/observability.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

const T0 = 1_800_000_000_000;
const LAYOUT: CheckpointLayout = { keyAttribute: 'feed', legacySinceIdAttribute: 'last_id' };
let db: DynaliteHandle;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable(undefined, LAYOUT.keyAttribute);
});
afterAll(async () => db?.close());

function store(logged?: LogFields[], layout: CheckpointLayout = LAYOUT, tableName = table) {
  const logger = {
    log: (_l: string, event: string, fields: LogFields = {}) => logged?.push({ event, ...fields }),
    child: () => logger,
  };
  return new DynamoDbCheckpointStore({ tableName, layout, client: db.client(), logger, now: () => T0 });
}

async function put(item: Record<string, { S: string } | { N: string }>) {
  await db.client().send(new PutItemCommand({ TableName: table, Item: item }));
}

async function raw(stream: string) {
  const out = await db
    .client()
    .send(new GetItemCommand({ TableName: table, Key: { feed: { S: stream } }, ConsistentRead: true }));
  return out.Item;
}

describe('DynamoDbCheckpointStore adopting an existing table (key "feed", legacy "last_id")', () => {
  it('adds the numeric fields beside the legacy string on first load and keeps the old attributes', async () => {
    await put({ feed: { S: 'news' }, last_id: { S: '1578516068309794817' }, owner: { S: 'ops' } });
    const logged: LogFields[] = [];
    const loaded = await store(logged).load('news');
    expect(loaded).toMatchObject({ stream: 'news', sinceId: '1578516068309794817', sweep: null });
    const item = await raw('news');
    expect(item?.last_id).toEqual({ S: '1578516068309794817' });
    expect(item?.frontier_since_id).toEqual({ N: '1578516068309794817' });
    expect(item?.owner).toEqual({ S: 'ops' });
    expect(logged).toContainEqual(
      expect.objectContaining({
        event: 'checkpoint_migrated',
        from: 'legacy_string',
        legacy_attribute: 'last_id',
      }),
    );
  });

  it('rewrites the legacy string with the since_id in every commit', async () => {
    await put({ feed: { S: 'commits' }, last_id: { S: '100' } });
    const s = store();
    const lease = (await s.acquireLease('commits', 'exec-1', 60_000, T0))!;
    await s.load('commits');
    const sweep = { newestId: '500', untilId: '300', nextToken: 't' };
    await s.save(checkpoint('commits', '100', { sweep }), lease);
    expect((await raw('commits'))?.last_id).toEqual({ S: '100' });
    await s.save(checkpoint('commits', '500'), lease);
    const item = await raw('commits');
    expect(item?.last_id).toEqual({ S: '500' });
    expect(item?.frontier_since_id).toEqual({ N: '500' });
  });

  it('re-adopts after a rollback: the old poller moved the legacy string on, the stale sweep goes', async () => {
    await put({ feed: { S: 'rollback' }, last_id: { S: '100' } });
    const s = store();
    const lease = (await s.acquireLease('rollback', 'exec-1', 60_000, T0))!;
    await s.load('rollback');
    await s.save(
      checkpoint('rollback', '100', { sweep: { newestId: '900', untilId: '400', nextToken: null } }),
      lease,
    );
    await s.releaseLease(lease);
    // The old poller runs again, resumes from last_id = 100 and records how far it got.
    await db.client().send(
      new UpdateItemCommand({
        TableName: table,
        Key: { feed: { S: 'rollback' } },
        UpdateExpression: 'SET last_id = :s',
        ExpressionAttributeValues: { ':s': { S: '950' } },
      }),
    );
    const logged: LogFields[] = [];
    expect(await store(logged).load('rollback')).toMatchObject({ sinceId: '950', sweep: null });
    expect(logged).toContainEqual(expect.objectContaining({ from: 'rolled_back', since_id: '950' }));
  });

  it("adopts the numeric since_id of this poller's first layout, sweep kept", async () => {
    await put({
      feed: { S: 'first-layout' },
      schema_version: { N: '2' },
      since_id: { N: '70' },
      sweep_newest_id: { N: '90' },
      sweep_until_id: { N: '80' },
      updated_at: { S: 'x' },
      writer: { S: 'w' },
    });
    const loaded = await store().load('first-layout');
    expect(loaded).toMatchObject({ sinceId: '70', sweep: { newestId: '90', untilId: '80' } });
    const item = await raw('first-layout');
    expect(item?.since_id).toBeUndefined();
    expect(item?.last_id).toEqual({ S: '70' });
  });

  it('resets a stream entirely, legacy string included, so it is not adopted again', async () => {
    await put({ feed: { S: 'reset' }, last_id: { S: '100' } });
    const s = store();
    await s.load('reset');
    await s.reset('reset');
    expect(await s.load('reset')).toBeNull();
    expect(Object.keys((await raw('reset')) ?? {})).toEqual(['feed']);
  });

  it.each([
    ['checkpoint fields without a since_id', { schema_version: { N: '2' }, writer: { S: 'w' } }, 'writer'],
    ['a legacy value that is not an id', { last_id: { S: 'abc' } }, 'last_id'],
    ['a legacy value stored as a number', { last_id: { N: '12' } }, 'last_id'],
    ['other attributes but no since_id', { polled_at: { S: 'yesterday' } }, 'polled_at'],
  ])('refuses %s as corrupt, naming the attribute', async (label, attributes, named) => {
    const stream = `corrupt-${label.replaceAll(' ', '-')}`;
    await put({ feed: { S: stream }, ...attributes });
    const error = await store()
      .load(stream)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as Error).message).toContain(named);
    expect((error as Error).message).toContain(stream);
  });

  it('names the key setting when the table is keyed by another attribute', async () => {
    const wrong = store(undefined, { keyAttribute: 'stream', legacySinceIdAttribute: 'since_id' });
    const error = await wrong.load('news').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as Error).message).toMatch(/not "stream".*CHECKPOINT_KEY_ATTRIBUTE/);
  });
});
