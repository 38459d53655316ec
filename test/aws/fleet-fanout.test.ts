/**
 * Fan-out over SQS (moto_server: the real SQS wire protocol on loopback) with the store and the
 * shared rate budget on DynamoDB (dynalite), against the emulator. The planner cuts 1,000 streams
 * into 16 shards; the test plays the Lambda event source (receive, run, delete) for 16 workers in
 * process, each with its own token of one app. Then a worker in a child process is SIGKILLed
 * mid-shard: its message reappears after the visibility timeout, its leases expire, and a later
 * worker finishes the shard with nothing lost.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SqsShardQueue } from '../../src/adapters/aws/shard-queue.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { planWave } from '../../src/entrypoints/fleet.js';
import { readJsonlIds } from '../chaos/crash-support.js';
import { compareDelivery, tempDir } from '../property/support.js';
import { DUMMY_AWS, type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FleetWorkerSpec, runFleetWorker, type ShardRun } from '../support/aws/fleet-worker.js';
import { type MotoHandle, startMoto } from '../support/aws/moto.js';

const STREAMS = 1_000;
const WORKERS = 16;
const LIMIT = 300;
const WINDOW_S = 5;
const TOKENS = Array.from({ length: WORKERS + 1 }, (_, i) => `fanout-${i}-5ca1ab1e`);
const WORKER_TIMEOUT_MS = 400_000;
const CHILD = fileURLToPath(new URL('../support/aws/fleet-worker-child.ts', import.meta.url));

function streamsOf(users: readonly { username: string }[], since: string): StreamSpec[] {
  return users.map((u, i) => ({
    name: `s${i}`,
    source: { kind: 'search', query: `from:${u.username}`, archive: false },
    tweetFields: ['created_at', 'author_id'],
    userFields: [],
    expansions: [],
    initial: { kind: 'since_id', id: since },
    overlapSeconds: 0,
  }));
}

describe('fan-out over SQS: planner, 16 workers, one app budget', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  let moto: MotoHandle;
  let sqs: SQSClient;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    [db, moto] = await Promise.all([startDynalite(), startMoto()]);
    emu = await startEmulator({
      seed: 21,
      posts: 4_000,
      users: STREAMS,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      windowSeconds: WINDOW_S,
      rateLimits: { search_recent: LIMIT },
      apps: { fleet: TOKENS },
      tokens: TOKENS,
      queryCacheSize: 16,
      requestLogLimit: 100_000,
    });
    sqs = new SQSClient({ ...DUMMY_AWS, endpoint: moto.url });
    dir = tempDir('tp-fanout-');
  }, 60_000);
  afterAll(async () => {
    sqs?.destroy();
    await emu?.close();
    await db?.close();
    await moto?.close();
    dir?.remove();
  });

  const queue = async (name: string, visibilitySeconds: number) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { VisibilityTimeout: String(visibilitySeconds) },
        }),
      )
    ).QueueUrl!;

  const spec = (
    over: Partial<FleetWorkerSpec> & Pick<FleetWorkerSpec, 'holder' | 'token'>,
  ): FleetWorkerSpec => ({
    emulatorUrl: emu.url,
    dynamoEndpoint: db.endpoint,
    sqsEndpoint: moto.url,
    queueUrl: '',
    table: '',
    sinkPath: join(dir.dir, `${over.holder}.jsonl`),
    // The workers' "Lambda timeout". Generous: 16 workers, dynalite and the emulator share this
    // process, and the test machine's CPU with other suites.
    timeBudgetMs: WORKER_TIMEOUT_MS,
    leaseTtlMs: 30_000,
    visibilityTimeoutSeconds: WORKER_TIMEOUT_MS / 1000 + 60,
    streams: [],
    ...over,
  });

  it('catches up 1,000 streams with 16 workers: 0 429s, nothing lost, no double polling', {
    timeout: 600_000,
  }, async () => {
    const users = emu.users();
    expect(users).toHaveLength(STREAMS);
    const since = timeMsToId(emu.now() - 6 * 86_400_000);
    const streams = streamsOf(users, since);
    const table = await db.createTable('fanout');
    const queueUrl = await queue('shards', WORKER_TIMEOUT_MS / 1000 + 60);
    const planner = new SqsShardQueue({ queueUrl, client: sqs });
    const store = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    const started = Date.now();
    // CPU of this process (the 16 workers, dynalite and the emulator; moto_server is apart): when it
    // nears the wall time, the harness, not the rate budget, is the bound.
    const cpuBefore = process.cpuUsage();
    const plan = await planWave(streams, store, planner, Math.ceil(STREAMS / WORKERS), 'wave-1');
    expect(plan).toEqual({ wave: 'wave-1', streams: STREAMS, shards: WORKERS });
    const runs = (
      await Promise.all(
        Array.from({ length: WORKERS }, (_, w) =>
          runFleetWorker(spec({ holder: `w${w}`, token: TOKENS[w]!, table, queueUrl, streams })),
        ),
      )
    ).flat();
    const wallMs = Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = emu.requestLog().length;

    process.stdout.write(
      `fanout runs: ${JSON.stringify(runs.map((r) => [r.holder, r.shard, r.durationMs, r.budgetWrites, r.budgetConflicts]))}\n`,
    );
    expect(emu.statusCounts()[429] ?? 0).toBe(0);
    expect(runs).toHaveLength(WORKERS);
    for (const run of runs) {
      expect(run.ok).toBe(true);
      expect(run.durationMs).toBeLessThan(WORKER_TIMEOUT_MS); // inside the worker's "Lambda timeout"
      for (const outcome of run.outcomes) expect(outcome).toBe('caught_up');
    }
    // Each shard ran once: every stream polled by exactly one worker.
    expect(new Set(runs.map((r) => r.shard)).size).toBe(WORKERS);
    const files = Array.from({ length: WORKERS }, (_, w) => readJsonlIds(join(dir.dir, `w${w}.jsonl`)));
    const truth = users.flatMap((u) =>
      emu.groundTruth({ endpoint: 'search_recent', query: `from:${u.username}`, since_id: since }),
    );
    const d = compareDelivery(truth, files.flat());
    expect(d.lostIds).toEqual([]);
    expect(d.unexpected).toBe(0);
    expect(d.duplicates).toBe(0);
    const windows = Math.ceil(requests / LIMIT);
    // The figures recorded in bench/README.md ("fan-out").
    process.stdout.write(
      `fanout: ${STREAMS} streams, ${WORKERS} workers, ${requests} requests, budget writes ${runs.reduce((n, r) => n + r.budgetWrites, 0)}, conflicts ${runs.reduce((n, r) => n + r.budgetConflicts, 0)}, 0 429s, wall ${(wallMs / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, minimum ${((windows - 1) * WINDOW_S).toFixed(0)} s + one window ${WINDOW_S} s\n`,
    );
    await store.close();
  });

  it('a worker SIGKILLed mid-shard loses nothing: the shard reappears and a later worker finishes it', {
    timeout: 120_000,
  }, async () => {
    const users = emu.users().slice(0, 40);
    const since = timeMsToId(emu.now() - 6 * 86_400_000);
    const streams = streamsOf(users, since);
    const table = await db.createTable('fanout-kill');
    const queueUrl = await queue('shards-kill', 4);
    const planner = new SqsShardQueue({ queueUrl, client: sqs });
    const store = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    await planWave(streams, store, planner, streams.length, 'wave-k');
    const victim = spec({
      holder: 'victim',
      token: TOKENS[WORKERS]!,
      table,
      queueUrl,
      streams,
      leaseTtlMs: 2_000,
      visibilityTimeoutSeconds: 4,
      maxMessages: 1,
    });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(victim)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    // Kill it once it has delivered some posts, but not all of its shard (bounded wait).
    const sink = victim.sinkPath;
    for (let i = 0; i < 600; i++) {
      if (existsSync(sink) && readJsonlIds(sink).length >= 20) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = readJsonlIds(sink);
    const truth = users.flatMap((u) =>
      emu.groundTruth({ endpoint: 'search_recent', query: `from:${u.username}`, since_id: since }),
    );
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(truth.length);

    // A later worker: the message is invisible for 4 s, so it polls (bounded) until it gets it.
    const later: ShardRun[] = [];
    for (let i = 0; i < 40 && later.length === 0; i++) {
      later.push(
        ...(await runFleetWorker(
          spec({ holder: 'later', token: TOKENS[0]!, table, queueUrl, streams, leaseTtlMs: 2_000 }),
        )),
      );
      if (later.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(later).toHaveLength(1);
    expect(later[0]!.receiveCount).toBeGreaterThanOrEqual(2);
    expect(later[0]!.ok).toBe(true);
    // Streams whose lease the victim still held are skipped by the later worker until they expire:
    // run waves until every stream is caught up (bounded), as the scheduled planner would.
    for (let wave = 0; wave < 5; wave++) {
      const outcomes = later.flatMap((r) => r.outcomes);
      if (outcomes.length > 0 && outcomes.every((o) => o === 'caught_up')) break;
      await new Promise((r) => setTimeout(r, 2_500));
      await planWave(streams, store, planner, streams.length, `wave-k${wave}`);
      later.length = 0;
      later.push(
        ...(await runFleetWorker(spec({ holder: 'later', token: TOKENS[0]!, table, queueUrl, streams }))),
      );
    }
    expect(later.flatMap((r) => r.outcomes).every((o) => o === 'caught_up')).toBe(true);
    const d = compareDelivery(truth, [...readJsonlIds(sink), ...readJsonlIds(join(dir.dir, 'later.jsonl'))]);
    expect(d.lostIds).toEqual([]);
    expect(d.unexpected).toBe(0);
    await store.close();
  });
});
