import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import {
  type CliResult,
  cliBundle,
  collect,
  logEvents,
  readIds,
  runCli,
  sortedIds,
  spawnCli,
} from './run-cli.js';

const TOKEN = 'cli-concurrency-token-81d2';
/** The unrelated stream uses its own token, so its requests do not share the first run's rate-limit window. */
const OTHER_TOKEN = 'cli-concurrency-other-token-3c9a';
const QUERY = 'coffee OR music';

/** Resolves once the child has logged `event` on stderr (or rejects when it exits first). */
function waitForEvent(child: ChildProcess, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes(`"event":"${event}"`)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before logging ${event}: ${text}`)));
  });
}

describe('two CLI processes on one SQLite file', () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: Record<string, string>;
  let since: string;
  beforeAll(async () => {
    await cliBundle();
    // One request per 5-second window: once a run has delivered its first page, its next request waits
    // for the window to reset, so it holds its lease for seconds while the other processes start.
    emulator = await startEmulator({
      seed: 23,
      posts: 3000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN, OTHER_TOKEN],
      rateLimits: { search_recent: 1 },
      windowSeconds: 5,
    });
    cwd = await mkdtemp(join(tmpdir(), 'tp-cli-concurrent-'));
    env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url };
    since = timeMsToId(emulator.now() - 3 * 86_400_000);
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  const poll = (sink: string, ...extra: string[]) => [
    'poll',
    '--query',
    QUERY,
    '--store',
    'sqlite:shared/state.db',
    '--sink',
    `jsonl:${sink}`,
    '--min-interval',
    '0',
    '--batch-size',
    '20',
    '--initial',
    since,
    ...extra,
  ];

  it('the second run finds the stream leased, skips it with stream_skipped, and state never regresses', async () => {
    // Prepare: the first run is inside its sweep (it has delivered a batch) before the second starts.
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    // More than one page (max_results is 100): the run must wait for a window after its first batch.
    expect(truth.length).toBeGreaterThan(100);
    const first = await spawnCli(poll('first.jsonl'), { cwd, env });
    const firstDone = collect(first, 60_000);
    await waitForEvent(first, 'batch');

    // Act: a second run of the same stream and, at the same time, a run of another stream on the same file
    const [second, other] = await Promise.all([
      runCli(poll('second.jsonl'), { cwd, env }),
      runCli(poll('other.jsonl', '--stream', 'other-stream', '--max-tweets', '20'), {
        cwd,
        env: { ...env, X_BEARER_TOKEN: OTHER_TOKEN },
      }),
    ]);
    const firstResult: CliResult = await firstDone;

    // Assess
    expect(second.code, second.stderr).toBe(0);
    expect(logEvents(second.stderr)).toContainEqual(
      expect.objectContaining({ event: 'stream_skipped', stream: `search:${QUERY}` }),
    );
    expect(second.stderr).toMatch(
      /stream "search:coffee OR music" skipped: its lease is held by another execution/,
    );
    expect(logEvents(second.stderr).at(-1)).toMatchObject({ event: 'execution_end', tweets_delivered: 0 });
    expect(other.code, other.stderr).toBe(0);
    expect(logEvents(other.stderr).at(-1)).toMatchObject({ event: 'execution_end', tweets_delivered: 20 });
    expect(firstResult.code, firstResult.stderr).toBe(0);
    expect(logEvents(firstResult.stderr).at(-1)).toMatchObject({
      caught_up: true,
      tweets_delivered: truth.length,
    });
    expect(sortedIds(await readIds(join(cwd, 'first.jsonl')))).toEqual(sortedIds(truth));
    const status = JSON.parse(
      (await runCli(['status', '--store', 'sqlite:shared/state.db'], { cwd })).stdout,
    ) as {
      streams: { stream: string; since_id: string; pending_sweep: unknown }[];
    };
    expect(status.streams.find((s) => s.stream === `search:${QUERY}`)).toMatchObject({
      since_id: sortedIds(truth).at(-1),
      pending_sweep: null,
    });
  });

  it('SIGTERM stops a run gracefully with its progress saved; the next run delivers exactly the rest', async () => {
    // Prepare: a 1-second window keeps this run short, and still several requests long.
    emulator.setLimits({ rateLimits: { search_recent: 1 }, windowSeconds: 1 });
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    const child = await spawnCli(poll('interrupted.jsonl', '--stream', 'interrupted'), { cwd, env });
    const done = collect(child, 60_000);
    await waitForEvent(child, 'checkpoint_update');

    // Act
    child.kill('SIGTERM');
    const stopped = await done;
    const resumed = await runCli(poll('interrupted.jsonl', '--stream', 'interrupted'), { cwd, env });

    // Assess
    expect(stopped.code, stopped.stderr).toBe(143);
    const end = logEvents(stopped.stderr).at(-1);
    expect(end).toMatchObject({ event: 'execution_end', caught_up: false });
    expect(logEvents(stopped.stderr)).toContainEqual(
      expect.objectContaining({ event: 'interrupted', signal: 'SIGTERM' }),
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(logEvents(resumed.stderr).at(-1)).toMatchObject({ caught_up: true });
    const delivered = await readIds(join(cwd, 'interrupted.jsonl'));
    // Every post arrives; only the batch in flight at the signal may arrive twice.
    expect(sortedIds([...new Set(delivered)])).toEqual(sortedIds(truth));
    expect(delivered.length - new Set(delivered).size).toBeLessThanOrEqual(20);
  });
});
