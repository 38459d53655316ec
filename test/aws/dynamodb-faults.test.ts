import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/adapters/aws/errors.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import { CheckpointConflictError } from '../../src/core/errors.js';
import { withRetry } from '../../src/core/retry.js';
import { runExecution } from '../../src/core/run.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { harness, searchStream, testOptions } from '../support/harness.js';
import { ManualClock } from '../support/manual-clock.js';

const T0 = 1_800_000_000_000;
let db: DynaliteHandle;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable();
});
afterAll(async () => db?.close());

type Fault = (attempt: number, commandName: string, afterSend: boolean) => Promise<void> | void;

/**
 * Adds a middleware inside the SDK's retry loop (deserialize step): `fault` may throw before the
 * request is sent (it never reaches dynalite) or after it (it was applied, the response is lost).
 */
function injectFaults(client: DynamoDBClient, fault: Fault): { attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      await fault(attempt, name, false);
      const result = await next(args);
      await fault(attempt, name, true);
      return result;
    },
    { step: 'deserialize', name: 'faultInjection' },
  );
  return { attempts };
}

function throttled(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });
}
function lostResponse(): Error {
  return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
}

describe('DynamoDbCheckpointStore under injected faults', () => {
  it('rides out throttling through the SDK retries', async () => {
    const client = db.client({ maxAttempts: 4 });
    const { attempts } = injectFaults(client, (attempt, name, after) => {
      if (name === 'UpdateItemCommand' && !after && attempt <= 2) throw throttled();
    });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const lease = (await store.acquireLease('throttled', 'exec-1', 60_000, T0))!;
    expect(attempts.get('UpdateItemCommand')).toBe(3);
    await store.save(checkpoint('throttled', '77'), lease);
    expect((await store.load('throttled'))?.sinceId).toBe('77');
  });

  it('translates throttling that outlasts the retries into a retryable AwsServiceError', async () => {
    const client = db.client({ maxAttempts: 2 });
    injectFaults(client, (_attempt, name, after) => {
      if (name === 'GetItemCommand' && !after) throw throttled();
    });
    const error = await new DynamoDbCheckpointStore({ tableName: table, client }).load('x').catch((e) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      operation: 'load',
      errorName: 'ProvisionedThroughputExceededException',
      retryable: true,
    });
  });

  it("is retried by core's retry policy when the throttle outlasts the SDK's retries", async () => {
    const client = db.client({ maxAttempts: 2 });
    const { attempts } = injectFaults(client, (attempt, name, after) => {
      if (name === 'GetItemCommand' && !after && attempt <= 3) throw throttled();
    });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const clock = new ManualClock();
    const loaded = await withRetry(() => store.load('throttled-then-fine'), {
      retry: DEFAULT_RUN_OPTIONS.retry,
      clock,
    });
    expect(loaded).toBeNull();
    // Two SDK attempts failed the first call; core waited once and its second call got through.
    expect(attempts.get('GetItemCommand')).toBe(4);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('logs a throttle that fails the stream as retryable: true', async () => {
    const client = db.client({ maxAttempts: 1 });
    injectFaults(client, (_attempt, _name, after) => {
      if (!after) throw throttled();
    });
    const h = harness();
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const summary = await runExecution(
      { ...h.deps, store },
      [searchStream()],
      testOptions({ retry: { ...DEFAULT_RUN_OPTIONS.retry, maxAttempts: 1 } }),
    );
    expect(summary.streams[0]?.outcome).toBe('failed');
    const errors = h.logger.events('error').filter((e) => e.code === 'aws_service');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.retryable === true)).toBe(true);
  });

  it('accepts a save whose response was lost and whose retry then hit a changed lease, when the item holds our write', async () => {
    const client = db.client({ maxAttempts: 3 });
    const other = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    let armed = false;
    injectFaults(client, async (_attempt, name, after) => {
      if (armed && name === 'UpdateItemCommand' && after) {
        armed = false;
        // Our lease expires and another execution takes the stream before the SDK retries.
        await other.acquireLease('lost-ours', 'exec-2', 60_000, T0 + 120_000);
        throw lostResponse();
      }
    });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const lease = (await store.acquireLease('lost-ours', 'exec-1', 60_000, T0))!;
    const cp = checkpoint('lost-ours', '1000');
    armed = true;
    await store.save(cp, lease);
    expect(await other.load('lost-ours')).toEqual(cp);
  });

  it('reports a conflict when, after the lost response, the new holder also wrote', async () => {
    const client = db.client({ maxAttempts: 3 });
    const other = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    let armed = false;
    injectFaults(client, async (_attempt, name, after) => {
      if (armed && name === 'UpdateItemCommand' && after) {
        armed = false;
        const theirs = (await other.acquireLease('lost-theirs', 'exec-2', 60_000, T0 + 120_000))!;
        await other.save(checkpoint('lost-theirs', '2000'), theirs);
        throw lostResponse();
      }
    });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const lease = (await store.acquireLease('lost-theirs', 'exec-1', 60_000, T0))!;
    armed = true;
    await expect(store.save(checkpoint('lost-theirs', '1000'), lease)).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );
    expect((await other.load('lost-theirs'))?.sinceId).toBe('2000');
  });

  it('finishes a legacy migration whose response was lost', async () => {
    await db.client().send(
      new PutItemCommand({
        TableName: table,
        Item: { stream: { S: 'lost-migration' }, since_id: { S: '31337' } },
      }),
    );
    const client = db.client({ maxAttempts: 3 });
    const { attempts } = injectFaults(client, (attempt, name, after) => {
      if (name === 'UpdateItemCommand' && after && attempt === 1) throw lostResponse();
    });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    expect(await store.load('lost-migration')).toMatchObject({ sinceId: '31337', schemaVersion: 2 });
    expect(attempts.get('UpdateItemCommand')).toBe(2);
  });
});
