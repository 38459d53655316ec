/**
 * Issue 12 acceptance: four streams in one config against the emulator with credits for 1,500 posts,
 * the real CLI in child processes on one SQLite store.
 * - Run 1 meets at most one 402 (per process), exits 1 and says "credits" on stderr.
 * - Run 2, still without credits, makes at most one request (the probe).
 * - After a top-up, runs until caught up deliver every post of every stream: lost 0, nothing foreign,
 *   no checkpoint moving backwards.
 * The same with a SIGKILL at each failpoint of the crash matrix before the credits run out.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { compareIds, timeMsToId } from '../../src/core/ids.js';
import { Failpoint, type FailpointLabel } from '../../src/core/run-types.js';
import { cliBundle, logEvents, runCli } from '../cli/run-cli.js';
import { compareDelivery, tempDir } from '../property/support.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { expireDynamoLease, expireSqliteLeases, readJsonlIds } from './crash-support.js';

const TOKEN = 'credits-test-token-4f2a';
const CREDITS = 1_500;
/** Requests in flight at once per process (the CLI's default, written out): a 402 can meet one per slot. */
const CONCURRENCY = 2;
const QUERIES = ['coffee OR tea', 'music OR art', 'news OR love', 'the -coffee -music'];
const LABELS = Object.values(Failpoint) as FailpointLabel[];

/** since_id per stream in the SQLite store (absent streams left out). */
function sqliteSinceIds(path: string): Map<string, string> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT stream, since_id FROM checkpoints').all() as {
      stream: string;
      since_id: string;
    }[];
    return new Map(rows.map((r) => [r.stream, r.since_id]));
  } finally {
    db.close();
  }
}

describe('402 CreditsDepleted with four streams (CLI child processes, emulator credits)', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  let dir: ReturnType<typeof tempDir>;
  let since: string;
  let truths: string[][];
  beforeAll(async () => {
    await cliBundle();
    emu = await startEmulator({
      seed: 12,
      posts: 12_000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
      credits: CREDITS,
    });
    dir = tempDir('tp-credits-');
    db = await startDynalite();
    since = timeMsToId(emu.now() - 5 * 86_400_000);
    truths = QUERIES.map((query) => emu.groundTruth({ endpoint: 'search_recent', query, since_id: since }));
  });
  afterAll(async () => {
    await emu.close();
    await db?.close();
    dir.remove();
  });

  let scenario = 0;
  async function scenarioRun(kind: 'sqlite' | 'dynamodb', label: FailpointLabel | undefined): Promise<void> {
    emu.reset(); // credits back to 1,500, today's reads forgotten
    const id = ++scenario;
    const dbPath = join(dir.dir, `state-${id}.db`);
    const table = kind === 'dynamodb' ? await db.createTable(`credits-${id}`) : '';
    const client = db.client();
    const dynamo = new DynamoDbCheckpointStore({ tableName: table || 'unused', client });
    const sinceIds = async (): Promise<Map<string, string>> =>
      kind === 'sqlite'
        ? sqliteSinceIds(dbPath)
        : new Map((await dynamo.list()).map((c) => [c.stream, c.sinceId]));
    const expireLeases = async () => {
      if (kind === 'sqlite') expireSqliteLeases(dbPath);
      else for (let i = 1; i <= QUERIES.length; i++) await expireDynamoLease(client, table, `s${i}`);
    };
    const sink = join(dir.dir, `posts-${id}.jsonl`);
    const config = join(dir.dir, `streams-${id}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        streams: QUERIES.map((query, i) => ({ name: `s${i + 1}`, query, initial: since })),
        store: kind === 'sqlite' ? `sqlite:${dbPath}` : `dynamodb:${table}`,
        sink: `jsonl:${sink}`,
        min_interval_ms: 0,
        max_tweets: 100_000,
        batch_size: 30,
        // A commit per page: the kill lands on the second page's commit, long before the credits run
        // out (with the default group of 10 pages the killed run itself would spend them).
        commit_pages: 1,
        concurrency: CONCURRENCY,
      }),
    );
    const env = {
      X_BEARER_TOKEN: TOKEN,
      X_API_BASE_URL: emu.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    };
    const poll = (extra: Record<string, string> = {}) =>
      runCli(['poll', '--config', config], { cwd: dir.dir, env: { ...env, ...extra }, timeoutMs: 90_000 });
    const requests = () => emu.requestLog().length;
    const count402 = (from: number) =>
      emu
        .requestLog()
        .slice(from)
        .filter((r) => r.status === 402).length;
    let previous = new Map<string, string>();
    const noRegression = async () => {
      const now = await sinceIds();
      for (const [stream, before] of previous) {
        expect(compareIds(now.get(stream) ?? '0', before), `since_id of ${stream}`).toBeGreaterThanOrEqual(0);
      }
      previous = now;
    };

    if (label !== undefined) {
      const killed = await poll({ TWITTER_POLLER_FAILPOINT: `${label}:2` });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      await expireLeases();
      await noRegression();
    }

    // Run 1: the credits run out.
    let from = requests();
    const first = await poll();
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/credits/i);
    const run1Got402 = count402(from);
    // No request after the first 402 is seen: only those in flight with it (one per slot) may meet it.
    expect(run1Got402).toBeLessThanOrEqual(CONCURRENCY);
    const end1 = logEvents(first.stderr).find((e) => e.event === 'execution_end');
    expect(end1?.posts_billed).toBeGreaterThan(0);
    await noRegression();

    // Run 2: still no credits: the probe and nothing else.
    from = requests();
    const second = await poll();
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/credits/i);
    const run2Requests = requests() - from;
    expect(run2Requests).toBeLessThanOrEqual(1);
    await noRegression();

    // Top up, then poll until caught up.
    emu.setCredits({ add: 1_000_000 });
    let caughtUp = false;
    for (let run = 0; run < 4 && !caughtUp; run++) {
      const again = await poll();
      expect(again.code, again.stderr).toBe(0);
      caughtUp = logEvents(again.stderr).find((e) => e.event === 'execution_end')?.caught_up === true;
      await noRegression();
    }
    expect(caughtUp).toBe(true);
    const delivered = readJsonlIds(sink);
    const union = [...new Set(truths.flat())];
    const d = compareDelivery(union, delivered);
    expect(d.lostIds, `${kind} ${label ?? 'no kill'}`).toEqual([]);
    expect(d.unexpected).toBe(0);
    for (const truth of truths) expect(compareDelivery(truth, delivered).lost).toBe(0);
    client.destroy();
    console.info(
      `[credits ${kind} ${label ?? 'no kill'}] run 1: ${run1Got402} x 402, posts billed ${String(end1?.posts_billed)}; run 2: ${run2Requests} request(s); after top-up: ${union.length} posts, lost ${d.lost}, foreign ${d.unexpected}, duplicates ${d.duplicates}`,
    );
  }

  it('stops at the first 402, probes once, and delivers everything after the top-up', {
    timeout: 180_000,
  }, async () => {
    const union = new Set(truths.flat());
    expect(truths.reduce((n, t) => n + t.length, 0)).toBeGreaterThan(CREDITS);
    expect(union.size).toBeGreaterThan(CREDITS);
    await scenarioRun('sqlite', undefined);
  });

  it.each(LABELS)(
    'the same with a SIGKILL at %s before the credits run out',
    { timeout: 180_000 },
    async (label) => {
      await scenarioRun('sqlite', label);
    },
  );

  it.each([undefined, Failpoint.afterFetch, Failpoint.duringCheckpointWrite])(
    'the same on DynamoDB (dynalite), kill: %s',
    { timeout: 180_000 },
    async (label) => {
      await scenarioRun('dynamodb', label);
    },
  );
});
