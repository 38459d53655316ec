import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { captureOutput, everyRendering } from '../support/aws/capture-output.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import { type FakeSsm, startFakeSsm } from '../support/aws/fake-ssm.js';
import { awsTestEnv, fakeContext, loadHandler, restoreEnv } from '../support/aws/lambda-harness.js';

const SENTINEL = 'AAAAsentinel-bearer-token-7f3a9c1e0b2d';
const PARAMETER = '/twitter-poller/bearer-token';
let db: DynaliteHandle;
let accepting: RunningEmulator;
let rejecting: RunningEmulator;
let parser: FakeLambda;
let ssm: FakeSsm;
let baseEnv: Record<string, string>;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
  accepting = await startEmulator({ seed: 5, posts: 200, tokens: [SENTINEL], lateArrivalFraction: 0 });
  rejecting = await startEmulator({ seed: 5, posts: 50, tokens: ['a-different-token'] });
  parser = await startFakeLambda();
  ssm = await startFakeSsm();
  ssm.parameters.set(PARAMETER, { value: SENTINEL, type: 'SecureString' });
  accepting.publish({ posts: Array.from({ length: 60 }, (_, i) => ({ text: `green fig ${i}` })) });
  accepting.advanceClock(40_000);
  baseEnv = {
    ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url, ssm: ssm.url }),
    BEARER_TOKEN_PARAMETER: PARAMETER,
    PARSER_FUNCTION_NAME: 'parser',
    STREAMS: JSON.stringify([{ name: 's', query: 'fig', initial: '1d' }]),
    X_API_BASE_URL: accepting.url,
    MIN_INTERVAL_MS: '0',
    MAX_TWEETS_PER_EXECUTION: '30',
    SAFETY_MARGIN_MS: '1000',
    LOG_LEVEL: 'debug',
  };
});
afterAll(async () => {
  restoreEnv();
  await Promise.all([parser?.close(), ssm?.close(), accepting?.close(), rejecting?.close(), db?.close()]);
});

async function container(extra: Record<string, string> = {}) {
  const table = await db.createTable(`secrets-${++tables}`);
  return { table, handler: await loadHandler({ ...baseEnv, CHECKPOINT_TABLE: table, ...extra }) };
}

function expectNoSentinel(run: { output: string; error?: unknown; result?: unknown }) {
  expect(run.output.length).toBeGreaterThan(0);
  expect(run.output).not.toContain(SENTINEL);
  expect(everyRendering(run.error)).not.toContain(SENTINEL);
  expect(JSON.stringify(run.result ?? null)).not.toContain(SENTINEL);
}

describe('Lambda handler and the bearer token', () => {
  it('reads the SecureString decrypted, once per warm container, and never prints it', async () => {
    const { handler } = await container();
    const before = ssm.requests.length;
    const runs = [await captureOutput(() => handler({}, fakeContext(900_000)))];
    runs.push(await captureOutput(() => handler({}, fakeContext(900_000))));
    for (const run of runs) {
      expect(run.error).toBeUndefined();
      expectNoSentinel(run);
    }
    expect(runs[0]?.result?.tweets_delivered).toBeGreaterThan(0);
    expect(ssm.requests.slice(before)).toEqual([{ name: PARAMETER, withDecryption: true }]);
  });

  it('fails the invocation when SSM fails, and fetches again on the next one', async () => {
    const { handler } = await container();
    ssm.failing = true;
    const failed = await captureOutput(() => handler({}, fakeContext(900_000)));
    ssm.failing = false;
    expect(failed.error).toMatchObject({ name: 'AwsServiceError', service: 'SSM' });
    expectNoSentinel(failed);
    const next = await captureOutput(() => handler({}, fakeContext(900_000)));
    expect(next.error).toBeUndefined();
    expectNoSentinel(next);
  });

  it('throws without the token when the API answers 401', async () => {
    const { handler } = await container({ X_API_BASE_URL: rejecting.url });
    const run = await captureOutput(() => handler({}, fakeContext(900_000)));
    expect(run.error).toMatchObject({ name: 'ExecutionFailedError' });
    expect(String(run.error)).toMatch(/401|nauthori[sz]ed|authentication/i);
    expectNoSentinel(run);
  });

  it('throws without the token when the sink fails (parser function missing)', async () => {
    const { handler } = await container();
    parser.failAlways('not-found');
    const run = await captureOutput(() => handler({}, fakeContext(900_000)));
    parser.recover();
    expect(run.error).toMatchObject({ name: 'ExecutionFailedError' });
    expectNoSentinel(run);
  });

  it('throws without the token when another execution takes the stream mid-run (store conflict)', async () => {
    const { table, handler } = await container();
    const thief = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    parser.onInvoke = async (invocation) => {
      if ((invocation.payload as Batch).stream === 's')
        await thief.acquireLease('s', 'thief', 600_000, Date.now() + 3_600_000);
    };
    const run = await captureOutput(() => handler({}, fakeContext(900_000)));
    parser.onInvoke = undefined;
    expect(run.error).toMatchObject({ name: 'ExecutionFailedError' });
    expect(String(run.error)).toMatch(/lost|conflict/i);
    expectNoSentinel(run);
  });
});
