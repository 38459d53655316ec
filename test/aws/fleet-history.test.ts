/**
 * The fan-out worker records run history like the single function, and `status` and `report` read
 * it under the table's configured key attribute (an adopted table whose partition key is not
 * `stream`). The worker handler (src/entrypoints/lambda-fleet.ts) runs in process on a fresh import,
 * with its environment as the template sets it, against dynalite (real SDK v3), the emulator and a
 * loopback parser Lambda speaking the Invoke wire protocol.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import type { StoreLocation } from '../../src/config/types.js';
import { planShards } from '../../src/core/fleet.js';
import { runReport } from '../../src/entrypoints/report-command.js';
import { runStatus, type StreamStatus } from '../../src/entrypoints/status-command.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import { awsTestEnv, fakeContext, restoreEnv } from '../support/aws/lambda-harness.js';

const KEY = 'feed_id';
const LAYOUT = { keyAttribute: KEY, legacySinceIdAttribute: 'since_id' } as const;
const STREAMS = [
  { name: 'apricot', query: 'apricot', initial: '2d' },
  { name: 'medlar', query: 'medlar', initial: '2d' },
  { name: 'sloe', query: 'sloe', initial: '2d' },
];

let db: DynaliteHandle;
let emulator: RunningEmulator;
let parser: FakeLambda;
let dir: string;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  [db, emulator, parser] = await Promise.all([
    startDynalite(),
    startEmulator({ seed: 11, posts: 100, lateArrivalFraction: 0 }),
    startFakeLambda(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'tp-fleet-history-'));
  for (const word of ['apricot', 'medlar', 'sloe']) {
    emulator.publish({ posts: Array.from({ length: 7 }, (_, i) => ({ text: `${word} harvest ${i}` })) });
  }
  emulator.advanceClock(40_000); // recent search lags 30 s
});
afterAll(async () => {
  restoreEnv();
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await Promise.all([parser?.close(), emulator?.close(), db?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A fresh import of the fan-out handlers (a new container) with `env` set. */
async function loadWorker(env: Record<string, string>) {
  for (const [key, value] of Object.entries(env)) {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  vi.resetModules();
  return (await import('../../src/entrypoints/lambda-fleet.js')).worker;
}

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(out, { text: () => chunks.join('') });
}

describe('fan-out worker run history, on a table keyed by a custom attribute', () => {
  it('records each shard run; status and report read it under the configured key', async () => {
    // Prepare: a table whose partition key is `feed_id`, and the worker configured for it.
    const table = await db.createTable(undefined, KEY);
    const worker = await loadWorker({
      ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
      CHECKPOINT_TABLE: table,
      CHECKPOINT_KEY_ATTRIBUTE: KEY,
      X_BEARER_TOKEN: 'fleet-history-token',
      PARSER_FUNCTION_NAME: 'parser',
      STREAMS: JSON.stringify(STREAMS),
      X_API_BASE_URL: emulator.url,
      MIN_INTERVAL_MS: '0',
      SAFETY_MARGIN_MS: '1000',
      LEASE_TTL_MS: '30000',
      LOG_LEVEL: 'warn',
      FANOUT_MODE: 'sqs',
    });
    const [first, second] = planShards(
      STREAMS.map((s) => s.name),
      2,
      'wave-h',
    );

    // Act: the event source hands the worker one shard per invocation.
    for (const [i, shard] of [first!, second!].entries()) {
      const out = await worker(
        { Records: [{ messageId: `m-${i}`, body: JSON.stringify(shard) }] },
        fakeContext(900_000),
      );
      expect(out.batchItemFailures).toEqual([]);
    }

    // Assess: two history items under `feed_id`, none under the default key attribute.
    const items = (await db.client().send(new ScanCommand({ TableName: table }))).Items ?? [];
    const runs = items.filter((it) => it[KEY]?.S?.startsWith('#run#'));
    expect(runs).toHaveLength(2);
    expect(items.every((it) => it.stream === undefined)).toBe(true);

    const store: StoreLocation = { kind: 'dynamodb', table };
    const stdout = capture();
    expect(
      await runStatus({ command: 'status', store, dynamodbLayout: LAYOUT, json: true }, { stdout }),
    ).toBe(0);
    const status = JSON.parse(stdout.text()) as { streams: StreamStatus[] };
    const byName = new Map(status.streams.map((s) => [s.stream, s] as const));
    for (const { name, query } of STREAMS) {
      const posts = emulator.groundTruth({ endpoint: 'search_recent', query }).length;
      expect(posts).toBeGreaterThan(0);
      expect(byName.get(name)?.last_run).toMatchObject({ outcome: 'caught_up', posts });
    }

    const out = join(dir, 'report.html');
    const reportOut = capture();
    const code = await runReport(
      { command: 'report', store, sinceMs: 86_400_000, out, dynamodbLayout: LAYOUT },
      reportOut,
    );
    expect(code).toBe(0);
    expect(reportOut.text()).toMatch(/\(2 runs, 3 streams,/);
    const html = await readFile(out, 'utf8');
    for (const { name } of STREAMS) expect(html).toContain(name);
  }, 60_000);
});
