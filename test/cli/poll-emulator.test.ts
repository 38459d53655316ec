import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { timeMsToId } from '../../src/core/ids.js';
import { cliBundle, logEvents, readIds, runCli, sortedIds } from './run-cli.js';

const TOKEN = 'cli-test-token-5b1e0c';
const QUERY = 'coffee OR music';

describe('twitter-poller poll against the emulator', () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: Record<string, string>;
  let since: string;
  beforeAll(async () => {
    await cliBundle();
    emulator = await startEmulator({
      seed: 11,
      posts: 4000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
    });
    cwd = await mkdtemp(join(tmpdir(), 'tp-cli-poll-'));
    env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url };
    since = timeMsToId(emulator.now() - 3 * 86_400_000);
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  const args = (dir: string, ...extra: string[]) => [
    'poll',
    '--query',
    QUERY,
    '--store',
    `sqlite:${dir}/state.db`,
    '--sink',
    `jsonl:${dir}/posts.jsonl`,
    '--min-interval',
    '0',
    '--batch-size',
    '40',
    ...extra,
  ];

  it('delivers exactly the ground truth to a JSONL file, then resumes with only the newer posts', async () => {
    // Prepare
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    expect(truth.length).toBeGreaterThan(100);

    // Act
    const first = await runCli(args('a', '--initial', since), { cwd, env });

    // Assess
    expect(first.code, first.stderr).toBe(0);
    const events = logEvents(first.stderr);
    const ends = events.filter((e) => e.event === 'execution_end');
    expect(ends).toHaveLength(1);
    expect(events.at(-1)).toBe(ends[0]);
    expect(ends[0]).toMatchObject({ caught_up: true, tweets_delivered: truth.length, rate_limit_waits: 0 });
    expect(ends[0]?.api_requests).toBeGreaterThanOrEqual(Math.ceil(truth.length / 100));
    expect(typeof ends[0]?.duration_ms).toBe('number');
    const ids = await readIds(join(cwd, 'a/posts.jsonl'));
    expect(ids).toHaveLength(truth.length);
    expect(sortedIds(ids)).toEqual(sortedIds(truth));

    // Act: more posts, a second run
    emulator.publish({ posts: Array.from({ length: 7 }, (_, i) => ({ text: `coffee number ${i}` })) });
    const second = await runCli(args('a'), { cwd, env });
    const truthAfter = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    expect(truthAfter).toHaveLength(truth.length + 7);

    // Assess: only the new posts, none twice
    expect(second.code, second.stderr).toBe(0);
    expect(logEvents(second.stderr).at(-1)).toMatchObject({
      event: 'execution_end',
      caught_up: true,
      tweets_delivered: 7,
    });
    const all = await readIds(join(cwd, 'a/posts.jsonl'));
    expect(sortedIds(all)).toEqual(sortedIds(truthAfter));
    expect(new Set(all).size).toBe(all.length);
  });

  it('writes each post as the API returned it, with the expanded author under _author', async () => {
    const lines = (await readFile(join(cwd, 'a/posts.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    const posts = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _author?: { id: string } });
    expect(posts.every((p) => typeof p.id === 'string' && typeof p.text === 'string')).toBe(true);
    expect(posts.every((p) => p._author?.id === p.author_id)).toBe(true);
  });

  it('status prints each stream checkpoint as JSON when stdout is not a terminal', async () => {
    const ids = await readIds(join(cwd, 'a/posts.jsonl'));
    const newest = sortedIds(ids).at(-1);
    const result = await runCli(['status', '--store', 'sqlite:a/state.db'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { streams: Record<string, unknown>[] };
    expect(status.streams).toEqual([
      expect.objectContaining({
        stream: `search:${QUERY}`,
        since_id: newest,
        pending_sweep: null,
        owed: null,
      }),
    ]);
  });

  it('status of an empty store lists no streams', async () => {
    await new SqliteCheckpointStore({ path: join(cwd, 'empty', 'state.db') }).close();
    const result = await runCli(['status', '--store', 'sqlite:empty/state.db', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      streams: [],
      spend: { posts_billed_today: 0, posts_billed_month: 0, credits_depleted_at: null },
      rate_budget: [],
    });
  });

  it('stops at --max-tweets with the rest owed in the checkpoint, and the next run delivers exactly the rest', async () => {
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    const first = await runCli(args('b', '--initial', since, '--max-tweets', '60'), { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(logEvents(first.stderr).at(-1)).toMatchObject({
      event: 'execution_end',
      caught_up: false,
      tweets_delivered: 60,
    });
    const status = JSON.parse((await runCli(['status', '--store', 'sqlite:b/state.db'], { cwd })).stdout) as {
      streams: { since_id: string; pending_sweep: { until_id: string } | null }[];
    };
    expect(status.streams[0]?.since_id).toBe(since);
    expect(status.streams[0]?.pending_sweep?.until_id).toBe(
      sortedIds(await readIds(join(cwd, 'b/posts.jsonl')))[0],
    );

    const second = await runCli(args('b'), { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    expect(logEvents(second.stderr).at(-1)).toMatchObject({
      caught_up: true,
      tweets_delivered: truth.length - 60,
    });
    const ids = await readIds(join(cwd, 'b/posts.jsonl'));
    expect(sortedIds(ids)).toEqual(sortedIds(truth));
  });

  it('--reset-checkpoint forgets the stream and starts again from --initial, logged', async () => {
    const newest = sortedIds(await readIds(join(cwd, 'a/posts.jsonl'))).at(-1)!;
    const result = await runCli(args('a', '--reset-checkpoint', '--initial', newest), { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(logEvents(result.stderr)).toContainEqual(
      expect.objectContaining({ event: 'checkpoint_reset', stream: `search:${QUERY}` }),
    );
    expect(logEvents(result.stderr).at(-1)).toMatchObject({ caught_up: true, tweets_delivered: 0 });
  });

  it('a rejected token (401) exits 1 saying so, and the token appears nowhere in the output', async () => {
    const sentinel = 'SENTINEL-TOKEN-7f3a9c2e11d4';
    const result = await runCli(args('c', '--log-level', 'debug', '--initial', since), {
      cwd,
      env: { X_BEARER_TOKEN: sentinel, X_API_BASE_URL: emulator.url },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/rejected the bearer token \(HTTP 401\)/);
    expect(logEvents(result.stderr)).toContainEqual(
      expect.objectContaining({ event: 'error', code: 'authentication' }),
    );
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(/^\{.*"event":"execution_end"/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(sentinel);
    expect(`${result.stdout}${result.stderr}`).not.toContain('7f3a9c2e11d4');
  });

  it('writes posts to stdout with --sink jsonl:- and logs only to stderr', async () => {
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    const result = await runCli(
      ['poll', '--query', QUERY, '--store', 'memory:', '--initial', since, '--min-interval', '0'],
      {
        cwd,
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const ids = result.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(sortedIds(ids)).toEqual(sortedIds(truth));
  });
});
