/**
 * `--concurrency 4` against the emulator over loopback (real HttpXApi, SQLite file, JSONL file): several
 * streams polled at once in one process stay lossless, never have two requests in flight for one
 * stream, never more than four in all, and share max_tweets as with one stream at a time; SIGKILLed at
 * random points, nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../../src/adapters/observability/json-logger.js';
import { SumMetrics } from '../../src/adapters/observability/sum-metrics.js';
import { JsonlFileSink } from '../../src/adapters/sinks/jsonl.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { SystemClock } from '../../src/adapters/system-clock.js';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { ApiRequest, ApiResponse, XApi } from '../../src/core/ports/x-api.js';
import { runExecution } from '../../src/core/run.js';
import type { RunSummary } from '../../src/core/run-types.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { childBundle } from './support-poller/child.js';
import { runKillScenario } from './support-poller/kill-scenario.js';
import {
  compareDelivery,
  fastOptions,
  publishMatching,
  readJsonlIds,
  stream,
  TOKEN,
  usePollerEmulator,
} from './support-poller/rig.js';

const CONCURRENCY = 4;
const _PAGE = 100;

/** The real HTTP client, counting the requests in flight per query and in all. */
class InFlight implements XApi {
  readonly #perQuery = new Map<string, number>();
  #total = 0;
  maxPerQuery = 0;
  maxTotal = 0;
  constructor(private readonly inner: XApi) {}
  async get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const q = request.params.query ?? '';
    const mine = (this.#perQuery.get(q) ?? 0) + 1;
    this.#perQuery.set(q, mine);
    this.#total++;
    this.maxPerQuery = Math.max(this.maxPerQuery, mine);
    this.maxTotal = Math.max(this.maxTotal, this.#total);
    try {
      return await this.inner.get<T>(request, signal);
    } finally {
      this.#perQuery.set(q, (this.#perQuery.get(q) ?? 1) - 1);
      this.#total--;
    }
  }
}

describe('poll --concurrency 4 against the emulator', () => {
  const env = usePollerEmulator();
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Six streams of different volumes, published now; their ground truth. */
  function world(suffix: string): { specs: StreamSpec[]; truth: () => string[] } {
    const since = timeMsToId(env.emu.now() - 1_000);
    const volumes = [900, 450, 240, 120, 35, 0];
    const specs = volumes.map((count, i) => {
      const query = `conc${i}${suffix}`;
      publishMatching(env.emu, query, count);
      return stream(
        `s${i}`,
        { kind: 'search', query, archive: false },
        { initial: { kind: 'since_id', id: since } },
      );
    });
    const truth = () =>
      specs.flatMap((s) =>
        env.emu.groundTruth({
          endpoint: 'search_recent',
          query: (s.source as { query: string }).query,
          since_id: since,
        }),
      );
    return { specs, truth };
  }

  /** One execution with fresh adapters on `dir`, as a new process would have. */
  async function run(
    dir: string,
    specs: readonly StreamSpec[],
    maxTweets: number,
  ): Promise<{ summary: RunSummary; api: InFlight }> {
    const store = new SqliteCheckpointStore({ path: join(dir, 'state.db') });
    const sink = new JsonlFileSink({ path: join(dir, 'posts.jsonl') });
    const api = new InFlight(
      new HttpXApi({
        baseUrl: env.emu.url,
        bearerToken: TOKEN,
        responseTimeoutMs: 5_000,
        bodyTimeoutMs: 30_000,
      }),
    );
    try {
      const summary = await runExecution(
        {
          api,
          store,
          sink,
          clock: new SystemClock(),
          logger: new JsonLogger({
            stream: new Writable({ write: (_c, _e, done) => done() }),
            secrets: [TOKEN],
          }),
          metrics: new SumMetrics(),
        },
        specs,
        fastOptions({ maxTweets, concurrency: CONCURRENCY, batchSize: 40 }),
      );
      return { summary, api };
    } finally {
      await sink.close();
      await store.close();
    }
  }

  it('one run drains six streams: every post once, one request in flight per stream, at most 4 in all', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-conc-'));
    dirs.push(dir);
    const { specs, truth } = world('d');

    const { summary, api } = await run(dir, specs, 1_000_000);

    expect(summary.caught_up).toBe(true);
    expect(compareDelivery(truth(), readJsonlIds(join(dir, 'posts.jsonl')))).toMatchObject({
      lost: [],
      unexpected: [],
      duplicates: 0,
    });
    expect(api.maxPerQuery).toBe(1);
    expect(api.maxTotal).toBeLessThanOrEqual(CONCURRENCY);
    // Several streams were polled at once (the first requests of four streams go out together).
    expect(api.maxTotal).toBeGreaterThan(1);
  });

  it('max_tweets 300 a run: never passed, every stream the budget cut got a fair part, lossless over the runs', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-conc-'));
    dirs.push(dir);
    const { specs, truth } = world('b');
    let caughtUp = false;
    for (let i = 0; i < 10 && !caughtUp; i++) {
      const { summary, api } = await run(dir, specs, 300);
      expect(summary.tweets_delivered).toBeLessThanOrEqual(300);
      expect(api.maxPerQuery).toBeLessThanOrEqual(1);
      expect(api.maxTotal).toBeLessThanOrEqual(CONCURRENCY);
      // Every stream that still had posts got at least a page or all it had (6 streams share 300).
      for (const s of summary.streams)
        if (s.outcome === 'budget_exhausted') expect(s.tweets_delivered).toBeGreaterThanOrEqual(35);
      caughtUp = summary.caught_up;
    }
    expect(caughtUp).toBe(true);
    expect(compareDelivery(truth(), readJsonlIds(join(dir, 'posts.jsonl')))).toMatchObject({
      lost: [],
      unexpected: [],
      duplicates: 0,
    });
  });
});

describe('poll --concurrency 4, SIGKILLed at random points: lossless', () => {
  const SEED = Number(process.env.POLLER_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const env = usePollerEmulator();
  const dirs: string[] = [];
  beforeAll(async () => {
    await childBundle();
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`five streams, killed in 6 of 8 runs (seed ${SEED}): nothing lost, duplicates within one commit group per stream per kill`, {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-conc-kill-'));
    dirs.push(dir);
    await runKillScenario(env.emu, {
      tag: 'poller-conc-kill',
      seed: SEED,
      dir,
      queries: ['killconc', 'killconcb', 'killconcc', 'killconcd', 'killconce'],
      volumes: [700, 300, 150, 60, 20],
      maxTweets: 250,
      concurrency: CONCURRENCY,
      runs: 8,
      cleanEvery: 4,
      minKills: 2,
    });
  });
});
