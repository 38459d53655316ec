/**
 * Acceptance of the drop-in upgrade, with the built handler run in a child process against dynalite,
 * the emulator and a loopback parser: the table is left the way the old poller left it (a string
 * since_id under the key `stream`, or under custom names), the new poller delivers exactly the posts
 * newer than that since_id, keeps the old string in step with every commit, and a simulated old
 * poller reading that string (a rollback) resumes with no gap; rolling forward again picks up after
 * the old poller. Also: the error line's reason, the metrics of every invocation, a bad setting at
 * cold start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { compareIds } from '../../src/core/ids.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, type Invocation, startFakeLambda } from '../support/aws/fake-lambda.js';
import { buildLambdaBundle, type ChildInvocation, invokeChild } from '../support/aws/lambda-child.js';
import { awsTestEnv } from '../support/aws/lambda-harness.js';

const TOKEN = 'adoption-test-token';
let dir: string;
let bundle: string;
let db: DynaliteHandle;
let emulator: RunningEmulator;
let parser: FakeLambda;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-adoption-'));
  [bundle, db, emulator, parser] = await Promise.all([
    buildLambdaBundle(dir),
    startDynalite(),
    startEmulator({ seed: 5, posts: 200, tokens: [TOKEN], lateArrivalFraction: 0 }),
    startFakeLambda(),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([parser?.close(), emulator?.close(), db?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Publishes `count` posts containing `word` and lets search see them (it lags 30 s). */
function publish(word: string, count: number): void {
  emulator.publish({ posts: Array.from({ length: count }, (_, i) => ({ text: `${word} crop ${i}` })) });
  emulator.advanceClock(40_000);
}

/** Every id recent search returns for `word`, newest first (the emulator's ground truth). */
const truth = (word: string) => emulator.groundTruth({ endpoint: 'search_recent', query: word });

/** The old poller: reads nothing but since_id and pages recent search above it, as it always did. */
async function oldPollerFetch(word: string, sinceId: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const url = new URL('/2/tweets/search/recent', emulator.url);
    url.searchParams.set('query', word);
    url.searchParams.set('since_id', sinceId);
    url.searchParams.set('max_results', '100');
    if (token !== undefined) url.searchParams.set('next_token', token);
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { id: string }[]; meta: { next_token?: string } };
    ids.push(...(body.data ?? []).map((t) => t.id));
    token = body.meta.next_token;
    if (token === undefined) return ids;
  }
  throw new Error('the old poller paged 50 times');
}

const newerThan = (ids: readonly string[], since: string) => ids.filter((id) => compareIds(id, since) > 0);
const sorted = (ids: Iterable<string>) => [...ids].sort(compareIds);

interface Mode {
  readonly label: string;
  readonly key: string;
  readonly legacy: string;
  readonly env: Record<string, string>;
  /** The post ids of one parser payload in this mode's format. */
  readonly idsOf: (payload: unknown) => string[];
}

const MODES: Mode[] = [
  {
    label: 'key "stream", string "since_id", bare array payloads, RequestResponse',
    key: 'stream',
    legacy: 'since_id',
    env: { PAYLOAD_FORMAT: 'array', INVOCATION_TYPE: 'RequestResponse' },
    idsOf: (p) => (p as { id: string }[]).map((t) => t.id),
  },
  {
    label: 'key "feed", string "last_id", {"tweets":[...]} payloads, Event',
    key: 'feed',
    legacy: 'last_id',
    env: { CHECKPOINT_KEY_ATTRIBUTE: 'feed', LEGACY_SINCE_ID_ATTRIBUTE: 'last_id', PAYLOAD_FORMAT: 'tweets' },
    idsOf: (p) => (p as { tweets: { id: string }[] }).tweets.map((t) => t.id),
  },
];

describe.each(MODES)('adopting an old poller table: $label', (mode) => {
  it('delivers exactly the posts above the legacy since_id, keeps it in step, and survives a rollback and roll forward', async () => {
    const word = `plum${mode.key}`;
    publish(word, 60);
    const all = truth(word);
    expect(all.length).toBe(60);
    const legacySince = all[40]!;
    const table = await db.createTable(undefined, mode.key);
    const client = db.client();
    const read = async () =>
      (
        await client.send(
          new GetItemCommand({ TableName: table, Key: { [mode.key]: { S: word } }, ConsistentRead: true }),
        )
      ).Item;
    // The table as the old poller left it: its key, its string since_id, an attribute of its own.
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { [mode.key]: { S: word }, [mode.legacy]: { S: legacySince }, last_run: { S: 'yesterday' } },
      }),
    );
    const env = {
      ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
      CHECKPOINT_TABLE: table,
      X_BEARER_TOKEN: TOKEN,
      PARSER_FUNCTION_NAME: `parser-${mode.key}`,
      STREAMS: JSON.stringify([{ name: word, query: word, initial: '1d' }]),
      X_API_BASE_URL: emulator.url,
      MIN_INTERVAL_MS: '0',
      MAX_TWEETS_PER_EXECUTION: '15',
      BATCH_SIZE: '5',
      LOG_LEVEL: 'info',
      ...mode.env,
    };
    // After every commit the legacy string equals the new since_id: checked whenever the parser is
    // invoked (the previous page's commit is in) and after every invocation.
    const mismatches: string[] = [];
    const checkInStep = async () => {
      const item = await read();
      if (item?.[mode.legacy]?.S !== item?.frontier_since_id?.N) mismatches.push(JSON.stringify(item));
    };
    const payloads: Invocation[] = [];
    parser.onInvoke = async (invocation) => {
      if (invocation.functionName !== env.PARSER_FUNCTION_NAME) return;
      payloads.push(invocation);
      await checkInStep();
    };
    const delivered = () => payloads.flatMap((p) => mode.idsOf(p.payload));
    const invoke = async (): Promise<ChildInvocation> => {
      const result = await invokeChild(bundle, env);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      await checkInStep();
      return result;
    };

    // The first run adopts the item and stops at its budget, mid-sweep.
    const first = await invoke();
    expect(first.summary).toMatchObject({ caught_up: false, tweets_delivered: 15 });
    const adopted = first.lines.find((l) => l.event === 'checkpoint_migrated');
    expect(adopted).toMatchObject({ from: 'legacy_string', since_id: legacySince });
    expect(adopted?.correlation_id).toBe(first.summary?.correlation_id);
    expect((await read())?.last_run).toEqual({ S: 'yesterday' });
    // A rollback now: the old poller reads its string and misses nothing.
    const midSince = (await read())?.[mode.legacy]?.S;
    expect(midSince).toBe(legacySince);
    const oldWouldFetch = await oldPollerFetch(word, midSince!);
    const covered = new Set([...delivered(), ...oldWouldFetch]);
    expect(newerThan(all, legacySince).filter((id) => !covered.has(id))).toEqual([]);

    // Roll on to caught up: exactly the 40 posts above the legacy since_id, each once.
    let runs = 1;
    let last = first;
    while (last.summary?.caught_up !== true && runs < 8) {
      last = await invoke();
      runs += 1;
    }
    expect(last.summary?.caught_up).toBe(true);
    expect(sorted(delivered())).toEqual(sorted(newerThan(all, legacySince)));
    expect(delivered()).toHaveLength(40);
    expect((await read())?.[mode.legacy]).toEqual({ S: all[0] });
    expect(payloads.every((p) => p.invocationType === (mode.env.INVOCATION_TYPE ?? 'Event'))).toBe(true);

    // Roll back for real: the old poller resumes from the string, gets exactly the new posts, and
    // records how far it got (an UpdateItem of its own attribute).
    publish(word, 10);
    const afterUs = truth(word);
    const oldGot = await oldPollerFetch(word, (await read())![mode.legacy]!.S!);
    expect(sorted(oldGot)).toEqual(sorted(afterUs.slice(0, 10)));
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { [mode.key]: { S: word } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': mode.legacy },
        ExpressionAttributeValues: { ':s': { S: oldGot[0]! } },
      }),
    );

    // Roll forward again: the new poller takes over after the old one, nothing twice, nothing lost.
    publish(word, 5);
    const before = delivered().length;
    const again = await invoke();
    expect(again.lines.find((l) => l.event === 'checkpoint_migrated')).toMatchObject({ from: 'rolled_back' });
    expect(sorted(delivered().slice(before))).toEqual(sorted(truth(word).slice(0, 5)));
    expect(mismatches).toEqual([]);
    client.destroy();
  });
});

describe('the built handler: logs, metrics and settings', () => {
  const baseEnv = async (streams: unknown[], extra: Record<string, string> = {}) => ({
    ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
    CHECKPOINT_TABLE: await db.createTable(),
    X_BEARER_TOKEN: TOKEN,
    PARSER_FUNCTION_NAME: 'parser-misc',
    STREAMS: JSON.stringify(streams),
    X_API_BASE_URL: emulator.url,
    MIN_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
    ...extra,
  });
  /** The invocation's EMF documents, each metric summed as CloudWatch sums an array of values. */
  const emf = (r: ChildInvocation) =>
    r.lines
      .filter((l) => '_aws' in l)
      .map((l) =>
        Object.fromEntries(
          Object.entries(l).map(([k, v]) => [
            k,
            Array.isArray(v) ? (v as number[]).reduce((a, b) => a + b, 0) : v,
          ]),
        ),
      );

  it("puts the API's reason for a failing stream in the error line's reason field", async () => {
    publish('fig', 5);
    const result = await invokeChild(
      bundle,
      await baseEnv([
        { name: 'broken', query: 'fig has:media', initial: '1d' },
        { name: 'fine', query: 'fig', initial: '1d' },
      ]),
    );
    expect(result.code).toBe(0);
    const error = result.lines.find((l) => l.event === 'error' && l.stream === 'broken');
    expect(error).toMatchObject({ level: 'ERROR', code: 'api_error', retryable: false });
    expect(String(error?.reason)).toContain("invalid operator 'has:media'");
    expect(String(error?.reason)).toContain('HTTP 400');
  });

  it('emits every invocation metric, RateLimitWaits = 0 included, and counts a retried 503 as an error', async () => {
    publish('pear', 5);
    const clean = await invokeChild(bundle, await baseEnv([{ name: 'pear', query: 'pear', initial: '1d' }]));
    expect(clean.code).toBe(0);
    const [metrics] = emf(clean);
    expect(metrics).toMatchObject({
      RateLimitWaits: 0,
      ErrorsEncountered: 0,
      ApiRequests: 1,
      TweetsProcessed: 5,
    });
    expect(typeof metrics?.ExecutionDurationSeconds).toBe('number');

    emulator.setFaults({ scripted: [{ path: '/2/tweets/search/recent', nth: 1, fault: '503' }] });
    const retried = await invokeChild(
      bundle,
      await baseEnv([{ name: 'pear', query: 'pear', initial: '1d' }], { MAX_TWEETS_PER_EXECUTION: '100' }),
    );
    emulator.setFaults({});
    expect(retried.code).toBe(0);
    expect(retried.summary).toMatchObject({ caught_up: true, tweets_delivered: 5 });
    expect(emf(retried)[0]).toMatchObject({ ErrorsEncountered: 1, ApiRequests: 2, RateLimitWaits: 0 });
  });

  it('exits 2 at cold start naming PAYLOAD_FORMAT when it is unknown', async () => {
    const result = await invokeChild(bundle, {
      ...(await baseEnv([{ name: 'x', query: 'x' }], { PAYLOAD_FORMAT: 'xml' })),
      // Inside the Lambda runtime (the variable it always sets); nothing here contacts it.
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9',
    });
    expect(result.code).toBe(2);
    expect(result.summary).toBeUndefined();
    expect(result.lines).toEqual([
      expect.objectContaining({ event: 'error', during: 'init', setting: 'PAYLOAD_FORMAT' }),
    ]);
    expect(String(result.lines[0]?.reason)).toMatch(/PAYLOAD_FORMAT: must be one of envelope, tweets, array/);
  });
});
