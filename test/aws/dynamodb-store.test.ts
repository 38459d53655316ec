import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNAMODB_RUNTIME_ACTIONS, DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { CheckpointConflictError, CorruptCheckpointError } from '../../src/core/errors.js';
import type { LogFields } from '../../src/core/ports/observability.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

let db: DynaliteHandle;
let table: string;
const T0 = 1_800_000_000_000;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable();
});
afterAll(async () => db?.close());

function makeStore(extra: { logged?: LogFields[]; tableName?: string } = {}) {
  const logged = extra.logged;
  const logger = {
    log: (_level: string, event: string, fields: LogFields = {}) => logged?.push({ event, ...fields }),
    child: () => logger,
  };
  return new DynamoDbCheckpointStore({
    tableName: extra.tableName ?? table,
    client: db.client(),
    logger,
    now: () => T0,
  });
}

async function rawItem(stream: string) {
  const out = await db
    .client()
    .send(new GetItemCommand({ TableName: table, Key: { stream: { S: stream } } }));
  return out.Item;
}

describe('DynamoDbCheckpointStore', () => {
  it('loads null for a stream it has never seen', async () => {
    expect(await makeStore().load('never-seen')).toBeNull();
  });

  it('round-trips a checkpoint with a sweep and a user id, ids near 2^63 exact', async () => {
    const store = makeStore();
    const lease = await store.acquireLease('big', 'exec-1', 60_000, T0);
    const cp = checkpoint('big', '9223372036854775000', {
      sweep: { newestId: '9223372036854775807', untilId: '9223372036854775806', nextToken: 'tok' },
      userId: '2244994945',
    });
    await store.save(cp, lease!);
    expect(await store.load('big')).toEqual(cp);
    const item = await rawItem('big');
    expect(item?.frontier_since_id).toEqual({ N: '9223372036854775000' });
    expect(item?.since_id).toEqual({ S: '9223372036854775000' });
    expect(item?.sweep_newest_id).toEqual({ N: '9223372036854775807' });
    expect(item?.lease_owner).toEqual({ S: 'exec-1' });
  });

  it('compares ids numerically: 9223372036854775806 -> ...807 moves forward, back to ...806 is refused', async () => {
    const store = makeStore();
    const lease = (await store.acquireLease('near-max', 'exec-1', 60_000, T0))!;
    await store.save(checkpoint('near-max', '9223372036854775806'), lease);
    await store.save(checkpoint('near-max', '9223372036854775807'), lease);
    await expect(store.save(checkpoint('near-max', '9223372036854775806'), lease)).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );
    expect((await store.load('near-max'))?.sinceId).toBe('9223372036854775807');
  });

  it('refuses a write without the current lease', async () => {
    const store = makeStore();
    const lease = (await store.acquireLease('fenced', 'exec-1', 60_000, T0))!;
    const forged = { ...lease, fence: lease.fence + 1 };
    await expect(store.save(checkpoint('fenced', '100'), forged)).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );
    expect(await store.load('fenced')).toBeNull();
  });

  it('gives a second owner null while the lease is held, and the lease once it expired', async () => {
    const store = makeStore();
    const first = (await store.acquireLease('lease', 'exec-1', 1_000, T0))!;
    expect(await store.acquireLease('lease', 'exec-2', 1_000, T0 + 999)).toBeNull();
    const second = (await store.acquireLease('lease', 'exec-2', 1_000, T0 + 1_000))!;
    expect(second.fence).toBeGreaterThan(first.fence);
    // The crashed-then-revived first holder is fenced out of every write.
    await expect(store.save(checkpoint('lease', '5'), first)).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(store.renewLease(first, 1_000, T0 + 1_001)).rejects.toBeInstanceOf(CheckpointConflictError);
    await store.releaseLease(first); // no-op: not ours any more
    expect(await store.acquireLease('lease', 'exec-3', 1_000, T0 + 1_500)).toBeNull();
    await store.save(checkpoint('lease', '6'), second);
    expect((await store.load('lease'))?.sinceId).toBe('6');
  });

  it('renews a held lease and frees it on release', async () => {
    const store = makeStore();
    const lease = (await store.acquireLease('renew', 'exec-1', 1_000, T0))!;
    const renewed = await store.renewLease(lease, 1_000, T0 + 900);
    expect(renewed.expiresAtMs).toBe(T0 + 1_900);
    expect(await store.acquireLease('renew', 'exec-2', 1_000, T0 + 1_500)).toBeNull();
    await store.releaseLease(renewed);
    const next = (await store.acquireLease('renew', 'exec-2', 1_000, T0 + 1_500))!;
    expect(next.fence).toBe(lease.fence + 1);
  });

  it('adopts a legacy item (bare string since_id) on first load, numeric frontier beside the string, and logs it', async () => {
    await db.client().send(
      new PutItemCommand({
        TableName: table,
        Item: { stream: { S: 'legacy' }, since_id: { S: '1578516068309794817' } },
      }),
    );
    const logged: LogFields[] = [];
    const store = makeStore({ logged });
    const loaded = await store.load('legacy');
    expect(loaded).toMatchObject({
      stream: 'legacy',
      sinceId: '1578516068309794817',
      sweep: null,
      schemaVersion: 2,
    });
    const item = await rawItem('legacy');
    expect(item?.frontier_since_id).toEqual({ N: '1578516068309794817' });
    expect(item?.since_id).toEqual({ S: '1578516068309794817' });
    expect(item?.schema_version).toEqual({ N: '2' });
    expect(logged).toContainEqual(
      expect.objectContaining({ event: 'checkpoint_migrated', stream: 'legacy' }),
    );
    expect(await store.load('legacy')).toEqual(loaded);
  });

  it("adopts this poller's first layout (a numeric since_id) under the default names", async () => {
    await db.client().send(
      new PutItemCommand({
        TableName: table,
        Item: {
          stream: { S: 'first-layout' },
          schema_version: { N: '2' },
          since_id: { N: '70' },
          updated_at: { S: 'then' },
          writer: { S: 'w' },
        },
      }),
    );
    expect(await makeStore().load('first-layout')).toMatchObject({ sinceId: '70', sweep: null });
    const item = await rawItem('first-layout');
    expect(item?.since_id).toEqual({ S: '70' });
    expect(item?.frontier_since_id).toEqual({ N: '70' });
  });

  it.each([
    ['a non-numeric legacy id', { since_id: { S: '12abc' } }],
    ['a negative id', { schema_version: { N: '2' }, frontier_since_id: { N: '-5' } }],
    ['a fractional id', { schema_version: { N: '2' }, frontier_since_id: { N: '1.5' } }],
    ['a negative numeric since_id (first layout)', { schema_version: { N: '2' }, since_id: { N: '-5' } }],
    ['an unknown schema_version', { schema_version: { N: '7' }, frontier_since_id: { N: '5' } }],
    [
      'until_id above sweep_newest_id',
      {
        schema_version: { N: '2' },
        frontier_since_id: { N: '5' },
        sweep_newest_id: { N: '10' },
        sweep_until_id: { N: '11' },
      },
    ],
    [
      'until_id above sweep_newest_id (first layout)',
      {
        schema_version: { N: '2' },
        since_id: { N: '5' },
        sweep_newest_id: { N: '10' },
        sweep_until_id: { N: '11' },
      },
    ],
    ['checkpoint fields but no since_id', { schema_version: { N: '2' }, sweep_newest_id: { N: '10' } }],
    ["the old poller's fields but no since_id", { last_polled_at: { S: '2026-11-01T00:00:00Z' } }],
  ])('refuses %s with CorruptCheckpointError naming the stream', async (label, attributes) => {
    const stream = `corrupt-${label.replaceAll(' ', '-')}`;
    await db
      .client()
      .send(new PutItemCommand({ TableName: table, Item: { stream: { S: stream }, ...attributes } }));
    const error = await makeStore()
      .load(stream)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptCheckpointError);
    expect((error as CorruptCheckpointError).stream).toBe(stream);
    expect((error as Error).message).toContain(stream);
  });

  it('lists checkpoints and resets one while keeping the lease fence', async () => {
    const store = makeStore({ tableName: await db.createTable() });
    const lease = (await store.acquireLease('to-reset', 'exec-1', 60_000, T0))!;
    await store.save(checkpoint('to-reset', '500'), lease);
    await store.save(checkpoint('other', '1'), (await store.acquireLease('other', 'exec-1', 60_000, T0))!);
    expect((await store.list()).map((c) => c.stream)).toEqual(['other', 'to-reset']);
    await store.reset('to-reset');
    expect(await store.load('to-reset')).toBeNull();
    expect((await store.list()).map((c) => c.stream)).toEqual(['other']);
    expect(await store.acquireLease('to-reset', 'exec-2', 60_000, T0)).toBeNull();
    await store.save(checkpoint('to-reset', '10'), lease);
    expect((await store.load('to-reset'))?.sinceId).toBe('10');
    await store.reset('does-not-exist');
  });

  it('sends only the DynamoDB actions the Lambda policy grants when polling', async () => {
    const client = db.client();
    const sent = new Set<string>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.add(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize' },
    );
    await db
      .client()
      .send(
        new PutItemCommand({ TableName: table, Item: { stream: { S: 'actions' }, since_id: { S: '42' } } }),
      );
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const lease = (await store.acquireLease('actions', 'exec-1', 60_000, T0))!;
    await store.load('actions');
    await store.save(checkpoint('actions', '43'), lease);
    await store.renewLease(lease, 60_000, T0 + 1);
    await store.releaseLease(lease);
    expect([...sent].sort()).toEqual([...DYNAMODB_RUNTIME_ACTIONS].sort());
  });
});
