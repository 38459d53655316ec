/**
 * The poller's real components wired to an emulator over loopback: HttpXApi, SqliteCheckpointStore on
 * a temp file, JsonlFileSink on a temp file, SystemClock and the JSON logger (its lines captured and
 * parsed). Nothing of the poller is replaced; only the settings are small so that tests stay fast.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type EmulatorOptions,
  type RequestLogEntry,
  type RunningEmulator,
  startEmulator,
} from '../../../emulator/index.js';
import { JsonLogger } from '../../../src/adapters/observability/json-logger.js';
import { SumMetrics } from '../../../src/adapters/observability/sum-metrics.js';
import { JsonlFileSink } from '../../../src/adapters/sinks/jsonl.js';
import { SqliteCheckpointStore } from '../../../src/adapters/stores/sqlite.js';
import { SystemClock } from '../../../src/adapters/system-clock.js';
import { HttpXApi, type HttpXApiOptions } from '../../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../../src/config/defaults.js';
import type { Checkpoint } from '../../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../../src/core/run.js';
import type { RunOptions, RunSummary } from '../../../src/core/run-types.js';
import type { StreamSource, StreamSpec } from '../../../src/core/stream.js';

export const TOKEN = 'poller-int-token-5ca1ab1e';

/** Emulator defaults for these tests: real clock, no search delay, no late arrivals, one token. */
export const EMULATOR_BASE: EmulatorOptions = {
  seed: 11,
  posts: 4_000,
  searchDelayMs: 0,
  lateArrivalFraction: 0,
  tokens: [TOKEN],
};

/** The limits every test starts from (emulator.reset() keeps what setLimits changed). */
export const BASE_LIMITS = {
  rateLimits: {
    search_recent: 450,
    search_all: 300,
    user_tweets: 1_500,
    user_mentions: 450,
    user_by_username: 300,
    usage_tweets: 50,
  },
  windowSeconds: 900,
  searchAllPerSecond: 1,
  usageCap: 10_000_000,
} as const;

export function startPollerEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ ...EMULATOR_BASE, ...options });
}

/** Back to the start state, limits included, with no faults. */
export function resetEmulator(emu: RunningEmulator): void {
  emu.reset();
  emu.setLimits(BASE_LIMITS);
  emu.setFaults({});
}

/** Run options: no minimum interval, retries in milliseconds, a generous budget. */
export function fastOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    ...DEFAULT_RUN_OPTIONS,
    maxTweets: 100_000,
    timeBudgetMs: 60_000,
    finalCommitReserveMs: 0,
    batchSize: 25,
    minIntervalMs: 0,
    retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 6 },
    ...overrides,
  };
}

export function stream(name: string, source: StreamSource, overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name,
    source,
    tweetFields: ['created_at', 'author_id'],
    userFields: [],
    expansions: ['author_id'],
    initial: { kind: 'since_id', id: '1' },
    overlapSeconds: 0,
    ...overrides,
  };
}

export type LogRecord = Readonly<Record<string, unknown>> & { readonly event: string };

/** What one execution left behind. */
export interface RunResult {
  readonly summary: RunSummary;
  readonly events: readonly LogRecord[];
  readonly metrics: Record<string, number>;
  /** Request-log entries of this execution only. */
  readonly requests: readonly RequestLogEntry[];
}

/** A temp directory with a SQLite store file and a JSONL sink file, polled against one emulator. */
export class PollerRig {
  readonly dir: string;
  readonly dbPath: string;
  readonly sinkPath: string;
  #runs = 0;

  /** @param shareWith another rig whose store and sink files this one uses (e.g. with another token) */
  constructor(
    readonly emu: RunningEmulator,
    readonly api: Partial<HttpXApiOptions> = {},
    shareWith?: PollerRig,
  ) {
    this.dir = shareWith?.dir ?? mkdtempSync(join(tmpdir(), 'tp-poller-int-'));
    this.dbPath = join(this.dir, 'state.db');
    this.sinkPath = join(this.dir, 'posts.jsonl');
  }

  /** One execution with fresh adapters (as a new process would have), closed afterwards. */
  async run(streams: readonly StreamSpec[], options: Partial<RunOptions> = {}): Promise<RunResult> {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer | string, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const store = new SqliteCheckpointStore({ path: this.dbPath });
    const sink = new JsonlFileSink({ path: this.sinkPath });
    const metrics = new SumMetrics();
    const token = this.api.bearerToken ?? TOKEN;
    const logger = new JsonLogger({ stream: capture, level: 'debug', secrets: [token] });
    const before = lastSeq(this.emu);
    let summary: RunSummary;
    try {
      summary = await runExecution(
        {
          api: new HttpXApi({
            baseUrl: this.emu.url,
            responseTimeoutMs: 5_000,
            bodyTimeoutMs: 30_000,
            ...this.api,
            bearerToken: token,
          }),
          store,
          sink,
          clock: new SystemClock(),
          logger,
          metrics,
        },
        streams,
        fastOptions({ correlationId: `run-${++this.#runs}`, ...options }),
      );
    } finally {
      await sink.close();
      await store.close();
    }
    const events = lines.map((l) => JSON.parse(l) as LogRecord);
    return {
      summary,
      events,
      metrics: metrics.totals(),
      requests: this.emu.requestLog().filter((r) => r.seq > before),
    };
  }

  /** Runs until an execution is caught up (at most `maxRuns`). */
  async runUntilCaughtUp(
    streams: readonly StreamSpec[],
    options: Partial<RunOptions> = {},
    maxRuns = 10,
  ): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (let i = 0; i < maxRuns; i++) {
      const r = await this.run(streams, options);
      out.push(r);
      if (r.summary.caught_up) break;
    }
    return out;
  }

  /** The stored checkpoint of a stream (read with a fresh store, like `status`). */
  async checkpoint(name: string): Promise<Checkpoint | null> {
    const store = new SqliteCheckpointStore({ path: this.dbPath });
    try {
      return await store.load(name);
    } finally {
      await store.close();
    }
  }

  /** Writes a checkpoint as a previous execution would have (under a lease, then released). */
  async seed(checkpoint: Checkpoint): Promise<void> {
    const store = new SqliteCheckpointStore({ path: this.dbPath });
    try {
      const lease = await store.acquireLease(checkpoint.stream, 'seed', 60_000, Date.now());
      if (lease === null) throw new Error('lease held');
      await store.save(checkpoint, lease);
      await store.releaseLease(lease);
    } finally {
      await store.close();
    }
  }

  /** Ids in the JSONL file, in order. */
  delivered(): string[] {
    return readJsonlIds(this.sinkPath);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lastSeq(emu: RunningEmulator): number {
  const log = emu.requestLog();
  return log.length === 0 ? 0 : log[log.length - 1]!.seq;
}

/** Post ids of a JSONL file, in order. A line that does not parse fails loudly: nothing may be torn. */
export function readJsonlIds(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

/** Lost, unexpected and duplicate ids of a delivery (a multiset) against the expected set. */
export function compareDelivery(
  expected: readonly string[],
  delivered: readonly string[],
): { lost: string[]; unexpected: string[]; duplicates: number; maxCopies: number } {
  const want = new Set(expected);
  const counts = new Map<string, number>();
  for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1);
  let duplicates = 0;
  let maxCopies = 0;
  for (const n of counts.values()) {
    duplicates += n - 1;
    maxCopies = Math.max(maxCopies, n);
  }
  return {
    lost: expected.filter((id) => !counts.has(id)),
    unexpected: [...counts.keys()].filter((id) => !want.has(id)),
    duplicates,
    maxCopies,
  };
}

/** Events of one name. */
export function eventsOf(result: Pick<RunResult, 'events'>, name: string): LogRecord[] {
  return result.events.filter((e) => e.event === name);
}

/** The query-string parameters of a logged request. */
export function paramsOf(entry: RequestLogEntry): URLSearchParams {
  return new URL(entry.url, 'http://emulator').searchParams;
}

/** Page requests (post-reading endpoints) of a request log. */
export function pageRequests(entries: readonly RequestLogEntry[]): RequestLogEntry[] {
  const paged = new Set(['search_recent', 'search_all', 'user_tweets', 'user_mentions']);
  return entries.filter((e) => e.endpoint !== undefined && paged.has(e.endpoint));
}

/**
 * URLs answered with a whole page (200, no fault) more than once. A page asked again after a fault
 * (a 5xx, a reset, a page-shaping fault) is a retry, not a repeat.
 */
export function repeatedPages(entries: readonly RequestLogEntry[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const e of pageRequests(entries)) {
    if (e.status !== 200 || e.fault !== undefined) continue;
    if (seen.has(e.url)) repeated.push(e.url);
    seen.add(e.url);
  }
  return repeated;
}

/** `count` posts whose text matches `word`, published now. */
export function publishMatching(emu: RunningEmulator, word: string, count: number, late = false): string[] {
  return emu
    .publish({ posts: Array.from({ length: count }, (_, i) => ({ text: `${word} live post ${i}`, late })) })
    .map((p) => p.id);
}

/**
 * One emulator per test file (started before all tests, reset after each, closed after all) and a
 * factory of rigs that are removed after each test. Call inside a `describe`.
 */
export function usePollerEmulator(): {
  readonly emu: RunningEmulator;
  rig(api?: ConstructorParameters<typeof PollerRig>[1]): PollerRig;
} {
  let emu: RunningEmulator | undefined;
  const rigs: PollerRig[] = [];
  beforeAll(async () => {
    emu = await startPollerEmulator();
  });
  afterEach(() => {
    if (emu !== undefined) resetEmulator(emu);
    for (const r of rigs.splice(0)) r.remove();
  });
  afterAll(async () => {
    await emu?.close();
  });
  return {
    get emu(): RunningEmulator {
      if (emu === undefined) throw new Error('the emulator starts in beforeAll');
      return emu;
    },
    rig(api = {}) {
      const r = new PollerRig(this.emu, api);
      rigs.push(r);
      return r;
    },
  };
}
