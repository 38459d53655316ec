import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { DynamoDbRunHistory } from '../../src/adapters/stores/run-history-dynamodb.js';
import { compareIds } from '../../src/core/ids.js';
import type { Batch } from '../../src/core/ports/sink.js';
import type { RunSummary } from '../../src/core/run-types.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import {
  awsTestEnv,
  fakeContext,
  type Handler,
  loadHandler,
  restoreEnv,
} from '../support/aws/lambda-harness.js';

const STREAMS = [
  { name: 'kumquat', query: 'kumquat', initial: '2d' },
  { name: 'quince', query: 'quince', initial: '2d' },
];
const MARGIN_MS = 1_000;
let db: DynaliteHandle;
let emulator: RunningEmulator;
let parser: FakeLambda;
let table: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable();
  emulator = await startEmulator({ seed: 3, posts: 300, lateArrivalFraction: 0 });
  parser = await startFakeLambda();
  env = {
    ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
    CHECKPOINT_TABLE: table,
    X_BEARER_TOKEN: 'e2e-token',
    PARSER_FUNCTION_NAME: 'parser',
    STREAMS: JSON.stringify(STREAMS),
    X_API_BASE_URL: emulator.url,
    MIN_INTERVAL_MS: '0',
    MAX_TWEETS_PER_EXECUTION: '60',
    BATCH_SIZE: '10',
    SAFETY_MARGIN_MS: String(MARGIN_MS),
    LEASE_TTL_MS: '30000',
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  restoreEnv();
  await Promise.all([parser?.close(), emulator?.close(), db?.close()]);
});

/** Publishes `count` posts per stream word and lets them become searchable (search lags 30 s). */
function publishLive(count: number): void {
  for (const word of ['kumquat', 'quince']) {
    emulator.publish({
      posts: Array.from({ length: count }, (_, i) => ({ text: `fresh ${word} number ${i}` })),
    });
  }
  emulator.advanceClock(40_000);
}

async function sinceIds(): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const { name } of STREAMS) {
    const item = await db
      .client()
      .send(new GetItemCommand({ TableName: table, Key: { stream: { S: name } } }));
    out[name] = item.Item?.since_id?.N;
  }
  return out;
}

const delivered = () =>
  new Set(
    parser.invocations.flatMap((i) =>
      (i.payload as Batch).tweets.map((t) => `${(i.payload as Batch).stream}/${t.id}`),
    ),
  );

describe('Lambda handler end to end (emulator, dynalite, parser Lambda)', () => {
  it('delivers every post over scheduled invocations, across an early stop and an overlapping run', async () => {
    const history: Record<string, string | undefined>[] = [];
    const checkMonotonic = async () => {
      const now = await sinceIds();
      const last = history.at(-1);
      for (const { name } of STREAMS) {
        const before = last?.[name];
        const after = now[name];
        if (before !== undefined) {
          expect(after).toBeDefined();
          expect(compareIds(before, after!)).toBeLessThanOrEqual(0);
        }
      }
      history.push(now);
    };

    // 1. First scheduled run: picks up the posts of the look-back window.
    publishLive(12);
    const handler: Handler = await loadHandler(env);
    const first = await handler({}, fakeContext(900_000));
    expect(first.streams.map((s) => s.outcome)).toEqual(['caught_up', 'caught_up']);
    await checkMonotonic();

    // 2. Live posts arrive; this run has almost no time left and a slow parser queue: it stops early.
    publishLive(30);
    parser.delayMs = 150;
    const short = await handler({}, fakeContext(MARGIN_MS + 400));
    parser.delayMs = 0;
    expect(short.caught_up).toBe(false);
    expect(short.streams.some((s) => s.outcome === 'deadline')).toBe(true);
    await checkMonotonic();

    // 3. Two overlapping runs (two containers): while the first holds its streams (a run takes every
    // stream's lease before its first page; `kumquat`'s first batch is in flight), a second container's
    // run starts and must skip them.
    publishLive(8);
    const otherContainer = await loadHandler(env);
    let nested: Promise<RunSummary> | undefined;
    parser.onInvoke = (invocation) => {
      if (nested !== undefined || (invocation.payload as Batch).stream !== 'kumquat') return;
      nested = otherContainer({}, fakeContext(900_000));
      return nested.then(() => undefined);
    };
    const outer = await handler({}, fakeContext(900_000));
    parser.onInvoke = undefined;
    const inner = await nested!;
    expect(inner.streams.find((s) => s.stream === 'kumquat')?.outcome).toBe('skipped_locked');
    expect(inner.streams.find((s) => s.stream === 'quince')?.outcome).toBe('skipped_locked');
    // The outer run shares MAX_TWEETS_PER_EXECUTION between both streams: it may stop at its budget.
    expect(outer.streams.find((s) => s.stream === 'kumquat')?.tweets_delivered).toBeGreaterThan(0);
    await checkMonotonic();

    // 4. Final scheduled runs until caught up (bounded).
    publishLive(5);
    let caughtUp = false;
    for (let run = 0; run < 6 && !caughtUp; run++) {
      caughtUp = (await handler({}, fakeContext(900_000))).caught_up;
      await checkMonotonic();
    }
    expect(caughtUp).toBe(true);

    // Every ground-truth post reached the parser, through Event invocations.
    const got = delivered();
    for (const { name, query } of STREAMS) {
      const truth = emulator.groundTruth({ endpoint: 'search_recent', query });
      expect(truth.length).toBeGreaterThanOrEqual(55);
      const missing = truth.filter((id) => !got.has(`${name}/${id}`));
      expect(missing).toEqual([]);
    }
    expect(parser.invocations.every((i) => i.invocationType === 'Event' && i.functionName === 'parser')).toBe(
      true,
    );

    // Every invocation left its summary in the table's run history, posts summing up.
    const runHistory = new DynamoDbRunHistory({ tableName: table, client: db.client() });
    const runs = await runHistory.list();
    await runHistory.close();
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const recorded = runs.flatMap((r) => r.streams).reduce((a, s) => a + s.posts, 0);
    expect(recorded).toBe(parser.invocations.reduce((a, i) => a + (i.payload as Batch).tweets.length, 0));
    expect(runs.flatMap((r) => r.streams.map((s) => s.stream))).toEqual(
      expect.arrayContaining(STREAMS.map((s) => s.name)),
    );
  });

  it('several STREAMS share MAX_TWEETS_PER_EXECUTION fairly: a quiet stream takes what it needs, the busy ones split the rest', async () => {
    const volumes = { zorblat: 150, quixfen: 80, vemtrak: 5 } as const;
    for (const [word, count] of Object.entries(volumes)) {
      emulator.publish({ posts: Array.from({ length: count }, (_, i) => ({ text: `${word} item ${i}` })) });
    }
    emulator.advanceClock(40_000);
    const streams = Object.keys(volumes).map((word) => ({ name: word, query: word, initial: '1h' }));
    const handler = await loadHandler({
      ...env,
      STREAMS: JSON.stringify(streams),
      MAX_TWEETS_PER_EXECUTION: '60',
    });
    const byName = (summary: RunSummary) =>
      Object.fromEntries(summary.streams.map((s) => [s.stream, [s.outcome, s.tweets_delivered]]));

    const first = await handler({}, fakeContext(900_000));
    // 60 / 3 = 20 each; vemtrak needs 5, so the other two split 55.
    expect(byName(first)).toEqual({
      zorblat: ['budget_exhausted', 28],
      quixfen: ['budget_exhausted', 27],
      vemtrak: ['caught_up', 5],
    });
    const second = await handler({}, fakeContext(900_000));
    expect(byName(second)).toEqual({
      zorblat: ['budget_exhausted', 30],
      quixfen: ['budget_exhausted', 30],
      vemtrak: ['caught_up', 0],
    });
    // quixfen got one post less in the first run: the lag kept in DynamoDB puts it first next time.
    const lag = await db
      .client()
      .send(new GetItemCommand({ TableName: table, Key: { stream: { S: 'quixfen' } } }));
    expect(lag.Item?.fair_lag?.N).toBe('0.5');
  });
});
