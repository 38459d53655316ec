/**
 * The JSONL sink under the conditions that cost posts before: two writers on one file with one of
 * them failing, a full disk during a rate-limit wait, and a file truncated underneath. Real CLI
 * processes against the emulator over loopback.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync, truncateSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SqliteRunHistory } from '../../src/adapters/stores/run-history-sqlite.js';
import { timeMsToId } from '../../src/core/ids.js';
import { cliBundle, collect, logEvents, runCli } from '../cli/run-cli.js';
import { caughtUp, deliveredCount, idsOf, runTwoWriters } from './support-poller/two-writers.js';

const TOKEN = 'jsonl-sink-token-9d2c4e';

describe('two CLI processes on one store and one JSONL file, one failing its writes', () => {
  it('keeps every post the healthy one checkpointed, and after reruns loses none', async () => {
    const r = await runTwoWriters(1);
    // The failing process did fail (exit 1, a failed stream), the healthy one caught up.
    expect(r.failing.code, r.failing.stderr).toBe(1);
    expect(logEvents(r.failing.stderr).some((e) => e.event === 'error')).toBe(true);
    expect(r.healthy.code, r.healthy.stderr).toBe(0);
    expect(caughtUp(r.healthy)).toBe(true);
    expect(deliveredCount(r.healthy)).toBe(r.truth[1]?.length);
    // Every post the healthy process checkpointed is still in the file after the other's failure.
    expect((r.truth[1] ?? []).filter((id) => !r.afterFirst.has(id))).toEqual([]);
    // After reruns every stream equals the ground truth: lost 0, and the file is whole lines only.
    expect(r.finalText.includes('\0')).toBe(false);
    const all = new Set(idsOf(r.finalText));
    expect(r.truth.flat().filter((id) => !all.has(id))).toEqual([]);
    expect(r.reruns).toBeLessThanOrEqual(5);
  }, 180_000);
});

describe('the JSONL sink and the emulator', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let since: string;
  const QUERY = 'coffee OR music';
  beforeAll(async () => {
    await cliBundle();
    emulator = await startEmulator({
      seed: 3,
      posts: 3000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
    });
    dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-sink-'));
    since = timeMsToId(emulator.now() - 6 * 86_400_000);
  });
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
  const env = () => ({ X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url });
  const args = (sub: string, sink: string, ...extra: string[]) => [
    'poll',
    '--query',
    QUERY,
    '--store',
    `sqlite:${join(dir, sub, 'state.db')}`,
    '--sink',
    `jsonl:${sink}`,
    '--min-interval',
    '0',
    '--batch-size',
    '25',
    '--retry-base',
    '1',
    '--retry-max',
    '10',
    '--initial',
    since,
    ...extra,
  ];
  const checkpoint = (sub: string) => {
    const db = new Database(join(dir, sub, 'state.db'), { readonly: true });
    try {
      return db.prepare('SELECT since_id, sweep_newest_id, sweep_until_id FROM checkpoints').get();
    } finally {
      db.close();
    }
  };

  it('fails a run on a full disk during a 429 wait: exit 1, outcome failed, an error event, checkpoint unchanged', async () => {
    emulator.setFaults({ scripted: [{ at: emulator.requestLog().length + 2, fault: '429' }] });
    const result = await runCli(args('full', '/dev/full', '--time-budget', '120'), { cwd: dir, env: env() });
    emulator.setFaults({});
    const events = logEvents(result.stderr);
    expect(result.code, result.stderr).toBe(1);
    expect(events.some((e) => e.event === 'api_call' && e.status === 429)).toBe(true);
    const error = events.find((e) => e.event === 'error');
    expect(error).toMatchObject({ code: 'sink' });
    expect(String(error?.reason)).toContain('ENOSPC');
    const end = events.find((e) => e.event === 'execution_end') as { streams: { outcome: string }[] };
    expect(end.streams[0]?.outcome).toBe('failed');
    // The checkpoint is the first one, where the run started: nothing was counted as delivered.
    expect(checkpoint('full')).toEqual({ since_id: since, sweep_newest_id: null, sweep_until_id: null });
  });

  it('counts nothing as delivered on a full disk: exit 1, tweets_delivered 0, TweetsProcessed 0, history 0', async () => {
    const result = await runCli(args('full-count', '/dev/full', '--max-tweets', '100'), {
      cwd: dir,
      env: env(),
    });
    const events = logEvents(result.stderr);
    expect(result.code, result.stderr).toBe(1);
    // The sink was handed posts (batches written, then the flush failed), so there was something to miscount.
    expect(events.filter((e) => e.event === 'batch').length).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/twitter-poller: stream ".*" failed: .*ENOSPC/);
    // Closing the sink tries the held lines once more and fails too (an `error` line after execution_end).
    const end = events.find((e) => e.event === 'execution_end') as {
      tweets_delivered: number;
      streams: { outcome: string; tweets_delivered: number; delivered: number }[];
      metrics: Record<string, number>;
    };
    expect(end.tweets_delivered).toBe(0);
    expect(end.streams[0]).toMatchObject({ outcome: 'failed', tweets_delivered: 0, delivered: 0 });
    expect(end.metrics.TweetsProcessed).toBe(0);
    expect(end.metrics.BatchesDelivered ?? 0).toBe(0);
    // The run history agrees: the run is recorded with 0 posts.
    const history = new SqliteRunHistory({ path: join(dir, 'full-count', 'state.db'), readonly: true });
    try {
      const runs = await history.list();
      expect(runs.map((r) => r.streams.map((s) => [s.outcome, s.posts]))).toEqual([[['failed', 0]]]);
    } finally {
      await history.close();
    }
    expect(checkpoint('full-count')).toEqual({
      since_id: since,
      sweep_newest_id: null,
      sweep_until_id: null,
    });
  });

  it('keeps appending whole lines after the file is truncated between two runs', async () => {
    const path = join(dir, 'between.jsonl');
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    const first = await runCli(args('between', path, '--max-tweets', '100'), { cwd: dir, env: env() });
    expect(first.code, first.stderr).toBe(0);
    truncateSync(path, 0);
    const second = await runCli(args('between', path), { cwd: dir, env: env() });
    expect(second.code, second.stderr).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(text.includes('\0')).toBe(false);
    // Exactly what the second run delivered, whole: the posts after the first run's 100.
    expect(idsOf(text)).toEqual(truth.slice(100));
  });

  it('keeps appending whole lines after the file is truncated between two pages of one run', async () => {
    const path = join(dir, 'during.jsonl');
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
    expect(truth.length).toBeGreaterThan(150);
    // Pages spaced by the minimum interval, so the truncation lands between two of them.
    const child = spawn(
      process.execPath,
      // A commit (flush) per page: the subject is the sink between two flushes of one run.
      [await cliBundle(), ...args('during', path), '--min-interval', '400', '--commit-pages', '1'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const done = collect(child, 60_000);
    let truncatedAt = -1;
    for (let i = 0; i < 2000 && truncatedAt < 0; i++) {
      if (existsSync(path) && statSync(path).size > 0) {
        truncatedAt = statSync(path).size;
        truncateSync(path, 0);
      } else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(truncatedAt).toBeGreaterThan(0);
    const text = await readFile(path, 'utf8');
    expect(text.includes('\0')).toBe(false);
    const ids = idsOf(text); // every line whole
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(truth.length);
    // No line after the truncation is lost: the file holds a contiguous tail of the delivery order.
    expect(ids).toEqual(truth.slice(truth.length - ids.length));
    expect(caughtUp(result)).toBe(true);
  });
});
