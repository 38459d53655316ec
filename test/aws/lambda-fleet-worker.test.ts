/**
 * The fan-out worker handler (src/entrypoints/lambda-fleet.ts), in-process on the shared Lambda
 * setup (lambda-setup.ts): an SQS event of two records against the emulator, dynalite and a parser
 * Lambda. The shard's streams are delivered under the record's correlation id and checkpointed; a
 * record that is not a shard is reported for redelivery.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import { awsTestEnv, fakeContext, loadHandler, restoreEnv } from '../support/aws/lambda-harness.js';

const STREAMS = [
  { name: 'kumquat', query: 'kumquat', initial: '2d' },
  { name: 'quince', query: 'quince', initial: '2d' },
];
/** What the test runs against, started once. */
interface World {
  readonly db: DynaliteHandle;
  readonly table: string;
  readonly emulator: RunningEmulator;
  readonly parser: FakeLambda;
}
let world: World;

beforeAll(async () => {
  const db = await startDynalite();
  const emulator = await startEmulator({ seed: 5, posts: 200, lateArrivalFraction: 0 });
  world = { db, table: await db.createTable(), emulator, parser: await startFakeLambda() };
  for (const word of ['kumquat', 'quince']) {
    emulator.publish({ posts: Array.from({ length: 7 }, (_, i) => ({ text: `ripe ${word} ${i}` })) });
  }
  emulator.advanceClock(40_000); // search lags 30 s
});
afterAll(async () => {
  restoreEnv();
  await Promise.all([world?.parser.close(), world?.emulator.close(), world?.db.close()]);
});

describe('fan-out worker handler', () => {
  it('runs a shard record on the container setup and reports a record that is not a shard', async () => {
    const { db, table, emulator, parser } = world;
    await loadHandler({
      ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
      CHECKPOINT_TABLE: table,
      X_BEARER_TOKEN: 'fleet-token',
      PARSER_FUNCTION_NAME: 'parser',
      STREAMS: JSON.stringify(STREAMS),
      X_API_BASE_URL: emulator.url,
      MIN_INTERVAL_MS: '0',
      SAFETY_MARGIN_MS: '1000',
      FANOUT_MODE: 'sqs',
      LOG_LEVEL: 'error',
    });
    const { worker } = await import('../../src/entrypoints/lambda-fleet.js');
    const shard = {
      kind: 'twitter-poller/shard',
      version: 1,
      wave: 'w1',
      shard: 0,
      streams: ['kumquat', 'quince'],
    };
    const context = fakeContext(120_000);

    const result = await worker(
      {
        Records: [
          { messageId: 'm1', body: JSON.stringify(shard) },
          { messageId: 'm2', body: 'not a shard' },
        ],
      },
      context,
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const batches = parser.invocations.map((i) => i.payload as Batch);
    expect(new Set(batches.map((b) => b.stream))).toEqual(new Set(['kumquat', 'quince']));
    expect(new Set(batches.map((b) => b.correlation_id))).toEqual(new Set([`${context.awsRequestId}:m1`]));
    expect(batches.flatMap((b) => b.tweets).length).toBeGreaterThanOrEqual(14);
    for (const { name } of STREAMS) {
      const item = await db
        .client()
        .send(new GetItemCommand({ TableName: table, Key: { stream: { S: name } } }));
      expect(item.Item?.frontier_since_id?.N, name).toBeDefined();
    }
  });
});
