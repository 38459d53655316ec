/**
 * Shared by test/property, test/chaos and test/integration: fast-check settings (FC_SEED, SOAK), an
 * emulator tuned for cheap runs, the real engine wired to it over loopback, and the soak figures.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import { compareIds } from '../../src/core/ids.js';
import type { CheckpointStore } from '../../src/core/ports/checkpoint-store.js';
import type { Batch, Sink } from '../../src/core/ports/sink.js';
import { runExecution } from '../../src/core/run.js';
import type { RunDependencies, RunOptions, RunSummary } from '../../src/core/run-types.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { RecordingLogger, RecordingMetrics } from '../support/harness.js';
import { ManualClock } from '../support/manual-clock.js';

/** `npm run soak` sets SOAK=1: every property and scenario runs more iterations. */
export const SOAK = process.env.SOAK === '1' || process.env.SOAK === 'true';

// Reproduce a failure with FC_SEED=<seed printed by fast-check> (and FC_PATH for the shrunk case).
if (process.env.FC_SEED !== undefined && process.env.FC_SEED !== '') {
  fc.configureGlobal({
    seed: Number(process.env.FC_SEED),
    ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
  });
}

/** numRuns: at least 100 by default, `soakFactor` times more under SOAK. */
export function runs(base = 100, soakFactor = 5): number {
  return Math.max(100, base) * (SOAK ? soakFactor : 1);
}

/** Iterations of a non-fast-check scenario (crash matrix, concurrency). */
export function iterations(base: number, soak: number): number {
  return SOAK ? soak : base;
}

/** The figures of one scenario, printed as one line (and appended to $SOAK_REPORT when set). */
export interface ScenarioFigures {
  runs: number;
  kills: number;
  faults: number;
  published: number;
  lost: number;
  unexpected: number;
  duplicates: number;
  regressions: number;
  leaks: number;
}

export function emptyFigures(): ScenarioFigures {
  return {
    runs: 0,
    kills: 0,
    faults: 0,
    published: 0,
    lost: 0,
    unexpected: 0,
    duplicates: 0,
    regressions: 0,
    leaks: 0,
  };
}

export function reportScenario(name: string, f: ScenarioFigures): void {
  const line = `[scenario] ${name}: runs=${f.runs} kills=${f.kills} faults=${f.faults} published=${f.published} lost=${f.lost} unexpected=${f.unexpected} duplicates=${f.duplicates} checkpoint_regressions=${f.regressions} secret_leaks=${f.leaks}`;
  process.stdout.write(`${line}\n`);
  const file = process.env.SOAK_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ scenario: name, soak: SOAK, ...f })}\n`);
}

/** A fixed "now" shared by the emulator and the poller's ManualClock. */
export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
export const TOKEN = 'prop-token-7f3a9c2e51d4b8';

/** An emulator that costs little per run: frozen clock, no search delay, no late arrivals, high limits. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    posts: 200,
    frozenClock: true,
    now: NOW,
    searchAllPerSecond: 0,
    searchDelayMs: 0,
    lateArrivalFraction: 0,
    rateLimits: { search_recent: 1_000_000, search_all: 1_000_000, user_tweets: 1_000_000 },
    ...options,
  });
}

/** Queries that match a fair share of the generated corpus (and some that match few posts). */
export const QUERIES = ['the', 'love OR #news', 'lang:es OR lang:fr', '-is:retweet the', 'coffee OR music'];

/** A search/all stream (no 7-day window to reason about) from the start of time. */
export function archiveStream(query: string, name = 'prop'): StreamSpec {
  return {
    name,
    source: { kind: 'search', query, archive: true },
    tweetFields: ['created_at', 'author_id'],
    userFields: [],
    expansions: ['author_id'],
    initial: { kind: 'since_id', id: '1' },
    overlapSeconds: 0,
  };
}

/** Run options for tests: no pacing interval, tiny retry delays, a generous budget. */
export function fastOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    ...DEFAULT_RUN_OPTIONS,
    minIntervalMs: 0,
    retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 6 },
    ...overrides,
  };
}

/** A sink keeping every post delivered (a multiset, in delivery order); optional scripted failures. */
export class CollectingSink implements Sink {
  readonly ids: string[] = [];
  readonly batches: Batch[] = [];
  /** Fails the write when it returns an error (checked before the write lands). */
  failBefore: ((batch: Batch) => Error | undefined) | undefined;
  /** Runs after the batch landed, before write() resolves (a crash between delivery and ack). */
  afterWrite: ((batch: Batch) => void | Promise<void>) | undefined;
  async write(batch: Batch): Promise<void> {
    const error = this.failBefore?.(batch);
    if (error !== undefined) throw error;
    this.batches.push(batch);
    for (const t of batch.tweets) this.ids.push(t.id);
    await this.afterWrite?.(batch);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Deps for one execution against the emulator. */
export function engineDeps(
  emu: RunningEmulator,
  store: CheckpointStore,
  sink: Sink,
  extra: Partial<RunDependencies> = {},
  token = TOKEN,
): RunDependencies & { logger: RecordingLogger; clock: ManualClock } {
  const clock = (extra.clock as ManualClock | undefined) ?? new ManualClock(NOW);
  return {
    api: new HttpXApi({
      baseUrl: emu.url,
      bearerToken: token,
      responseTimeoutMs: 2_000,
      bodyTimeoutMs: 2_000,
    }),
    store,
    sink,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    ...extra,
    clock,
  } as RunDependencies & { logger: RecordingLogger; clock: ManualClock };
}

/** Runs executions until one is caught up (at most `maxRuns`); returns the summaries. */
export async function pollUntilCaughtUp(
  makeDeps: () => RunDependencies,
  streams: readonly StreamSpec[],
  options: RunOptions,
  maxRuns: number,
): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (let i = 0; i < maxRuns; i++) {
    const summary = await runExecution(makeDeps(), streams, { ...options, correlationId: `run-${i}` });
    out.push(summary);
    if (summary.caught_up) break;
  }
  return out;
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SQLite store on a fresh temp file. */
export function sqliteStore(dir: string, name = 'state.db'): SqliteCheckpointStore {
  return new SqliteCheckpointStore({ path: join(dir, name) });
}

/** Lost / unexpected / duplicate counts of a delivered multiset against the expected set. */
export function compareDelivery(
  expected: readonly string[],
  delivered: readonly string[],
): { lost: number; unexpected: number; duplicates: number; lostIds: string[] } {
  const want = new Set(expected);
  const counts = new Map<string, number>();
  for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
  const lostIds = [...want].filter((id) => !counts.has(id));
  let unexpected = 0;
  let duplicates = 0;
  for (const [id, n] of counts) {
    if (!want.has(id)) unexpected++;
    duplicates += n - 1;
  }
  return { lost: lostIds.length, unexpected, duplicates, lostIds };
}

/** True when the ids are strictly descending (newest first). */
export function strictlyDescending(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (compareIds(ids[i - 1]!, ids[i]!) <= 0) return false;
  return true;
}

/** A promise that never settles: an in-process "kill" abandons the run where it stands. */
export function hangForever(): Promise<never> {
  return new Promise<never>(() => undefined);
}
