import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SumMetrics } from '../../src/adapters/observability/sum-metrics.js';
import { LambdaInvokeSink } from '../../src/adapters/sinks/lambda.js';
import { SqsSink } from '../../src/adapters/sinks/sqs.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { SystemClock } from '../../src/adapters/system-clock.js';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import { buildStreamSpec } from '../../src/config/streams.js';
import type { Logger } from '../../src/core/ports/observability.js';
import type { Sink } from '../../src/core/ports/sink.js';
import { runExecution } from '../../src/core/run.js';
import { DUMMY_AWS, type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import { type FakeSqs, startFakeSqs } from '../support/aws/fake-sqs.js';

const silent: Logger = { log: () => {}, child: () => silent };
let db: DynaliteHandle;
let emulator: RunningEmulator;
let lambda: FakeLambda;
let sqs: FakeSqs;

beforeAll(async () => {
  [db, emulator, lambda, sqs] = await Promise.all([
    startDynalite(),
    startEmulator({ seed: 9, posts: 100, lateArrivalFraction: 0 }),
    startFakeLambda(),
    startFakeSqs(),
  ]);
});
afterAll(async () => Promise.all([db?.close(), emulator?.close(), lambda?.close(), sqs?.close()]));

const spec = buildStreamSpec(
  {
    name: 'persimmon',
    source: { kind: 'search', query: 'persimmon', archive: false },
    initial: { kind: 'lookback', ms: 86_400_000 },
  },
  { initial: { kind: 'now' }, overlapSeconds: 0 },
);

function publish(count: number) {
  emulator.publish({ posts: Array.from({ length: count }, (_, i) => ({ text: `ripe persimmon ${i}` })) });
  emulator.advanceClock(40_000);
}

async function run(store: DynamoDbCheckpointStore, sink: Sink) {
  return runExecution(
    {
      api: new HttpXApi({
        bearerToken: 't',
        baseUrl: emulator.url,
        responseTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
      }),
      store,
      sink,
      clock: new SystemClock(),
      logger: silent,
      metrics: new SumMetrics(),
    },
    [spec],
    {
      ...DEFAULT_RUN_OPTIONS,
      minIntervalMs: 0,
      batchSize: 5,
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 },
    },
  );
}

describe.each([
  [
    'SqsSink with an entry that keeps failing',
    () => {
      sqs.failEntry = (entry) => (entry.Id === 'm2' ? 'InternalError' : undefined);
      return () => {
        sqs.failEntry = () => undefined;
      };
    },
    () =>
      new SqsSink({
        queueUrl: `${sqs.url}/1/q`,
        client: new SQSClient({ ...DUMMY_AWS, endpoint: sqs.url, maxAttempts: 1 }),
      }),
  ],
  [
    'LambdaInvokeSink with the parser throttled',
    () => {
      lambda.failAlways('throttle');
      return () => lambda.recover();
    },
    () =>
      new LambdaInvokeSink({
        functionName: 'parser',
        client: new LambdaClient({ ...DUMMY_AWS, endpoint: lambda.url, maxAttempts: 1 }),
      }),
  ],
])('%s', (_label, breakSink, makeSink) => {
  it('leaves the checkpoint where it was until every entry is acknowledged, then moves it', async () => {
    const store = new DynamoDbCheckpointStore({ tableName: await db.createTable(), client: db.client() });
    const sink = makeSink();
    publish(3);
    expect((await run(store, sink)).streams[0]?.outcome).toBe('caught_up');
    const before = await store.load(spec.name);
    expect(before).not.toBeNull();

    publish(12);
    const repair = breakSink();
    const failed = await run(store, sink);
    repair();
    expect(failed.streams[0]?.outcome).toBe('failed');
    expect(await store.load(spec.name)).toEqual(before);

    const healed = await run(store, sink);
    expect(healed.streams[0]?.outcome).toBe('caught_up');
    const after = await store.load(spec.name);
    expect(BigInt(after!.sinceId)).toBeGreaterThan(BigInt(before!.sinceId));
    await sink.close();
  });
});

describe('SqsSink under the poll loop', () => {
  it("resends an entry that fails every time only within the run's retry attempts, in all", async () => {
    const store = new DynamoDbCheckpointStore({ tableName: await db.createTable(), client: db.client() });
    const sink = new SqsSink({
      queueUrl: `${sqs.url}/1/q`,
      client: new SQSClient({ ...DUMMY_AWS, endpoint: sqs.url, maxAttempts: 1 }),
    });
    publish(3);
    sqs.failEntry = (entry) => (entry.Id === 'm1' ? 'InternalError' : undefined);
    const callsBefore = sqs.calls.length;
    const summary = await run(store, sink);
    sqs.failEntry = () => undefined;
    expect(summary.streams[0]?.outcome).toBe('failed');
    // run() allows 2 attempts: the first call carries the whole batch, the one retry only the failed entry.
    const calls = sqs.calls.slice(callsBefore);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBe(1);
    await sink.close();
  });
});
