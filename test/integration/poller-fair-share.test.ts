/**
 * Many streams in one run, against the emulator over loopback (real HttpXApi, SQLite file, JSONL file):
 * eight streams of very different volumes share max_tweets (every stream with a backlog gets at least
 * 75 of 800 posts in every run), share a tight rate limit under a short time budget (every stream gets
 * a page in every run), and stay lossless when the poller process is SIGKILLed mid-run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeMsToId } from '../../src/core/ids.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { childBundle } from './support-poller/child.js';
import { runKillScenario } from './support-poller/kill-scenario.js';
import {
  BASE_LIMITS,
  compareDelivery,
  publishMatching,
  readJsonlIds,
  stream,
  usePollerEmulator,
} from './support-poller/rig.js';

/** The skewed world of the report: one busy keyword, a long tail of quiet ones. */
const VOLUMES: Readonly<Record<string, number>> = {
  alpha: 2_000,
  beta: 1_000,
  gamma: 500,
  delta: 250,
  epsilon: 120,
  omega: 60,
  coffee: 30,
  music: 10,
};
const PAGE = 100;

describe('poller against the emulator: many streams share one run', () => {
  const env = usePollerEmulator();

  /** Each word's posts published now, and one stream per word starting right before them. */
  function skewedWorld(
    volumes: Readonly<Record<string, number>>,
    suffix: string,
    since = timeMsToId(env.emu.now() - 1_000),
  ): StreamSpec[] {
    return Object.entries(volumes).map(([word, count]) => {
      const query = `${word}${suffix}`;
      publishMatching(env.emu, query, count);
      return stream(
        word,
        { kind: 'search', query, archive: false },
        { initial: { kind: 'since_id', id: since } },
      );
    });
  }

  it('8 streams, max_tweets 800: every stream with a backlog gets at least 75 posts in every run; the ground truth exactly once', {
    timeout: 60_000,
  }, async () => {
    const r = env.rig();
    const since = timeMsToId(env.emu.now() - 1_000);
    const specs = skewedWorld(VOLUMES, 'fs', since);
    const got = new Map(specs.map((s) => [s.name, 0]));
    let runs = 0;
    for (; runs < 10; runs++) {
      const backlog = new Map(
        specs.map((s) => [s.name, (VOLUMES[s.name] as number) - (got.get(s.name) as number)]),
      );
      const total = [...backlog.values()].reduce((a, b) => a + b, 0);
      const run = await r.run(specs, { maxTweets: 800 });
      for (const s of run.summary.streams) {
        const owed = backlog.get(s.stream) as number;
        expect(s.tweets_delivered, `${s.stream} in run ${runs + 1}`).toBeGreaterThanOrEqual(
          Math.min(75, owed),
        );
        got.set(s.stream, (got.get(s.stream) as number) + s.tweets_delivered);
      }
      expect(run.summary.tweets_delivered).toBe(Math.min(800, total));
      const end = run.events.find((e) => e.event === 'execution_end') as unknown as {
        streams: { share: number; delivered: number }[];
      };
      expect(end.streams.every((s) => s.delivered <= s.share)).toBe(true);
      if (run.summary.caught_up) break;
    }
    expect(runs + 1).toBe(5); // 3,970 posts at 800 a run
    const truth = specs.flatMap((s) =>
      env.emu.groundTruth({
        endpoint: 'search_recent',
        query: (s.source as { query: string }).query,
        since_id: since,
      }),
    );
    const d = compareDelivery(truth, readJsonlIds(r.sinkPath));
    expect(d).toMatchObject({ lost: [], unexpected: [], duplicates: 0 });
  });

  it('--time-budget 8 at 10 requests per 3 s: every stream gets at least one page in every run', {
    timeout: 60_000,
  }, async () => {
    env.emu.setLimits({ rateLimits: { ...BASE_LIMITS.rateLimits, search_recent: 10 }, windowSeconds: 3 });
    const r = env.rig();
    const specs = skewedWorld(VOLUMES, 'tb');
    const got = new Map(specs.map((s) => [s.name, 0]));
    for (let run = 1; run <= 2; run++) {
      // What `--time-budget 8 --min-interval 0` gives the run: 8 s, 2 s of them kept for the final commit.
      const result = await r.run(specs, {
        timeBudgetMs: 8_000,
        finalCommitReserveMs: 2_000,
        minIntervalMs: 0,
      });
      for (const s of result.summary.streams) {
        const owed = (VOLUMES[s.stream] as number) - (got.get(s.stream) as number);
        expect(s.tweets_delivered, `${s.stream} in run ${run}`).toBeGreaterThanOrEqual(Math.min(PAGE, owed));
        got.set(s.stream, (got.get(s.stream) as number) + s.tweets_delivered);
      }
      expect(result.summary.caught_up).toBe(false);
    }
  });
});

describe('many streams, SIGKILLed at random points: lossless', () => {
  const SEED = Number(process.env.POLLER_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const env = usePollerEmulator();
  const dirs: string[] = [];
  beforeAll(async () => {
    await childBundle();
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`three streams sharing max_tweets 200, killed in 8 of 10 runs (seed ${SEED}): nothing lost, duplicates within one commit group per stream per kill`, {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-fair-kill-'));
    dirs.push(dir);
    await runKillScenario(env.emu, {
      tag: 'poller-fair-kill',
      seed: SEED,
      dir,
      queries: ['killfair', 'killfairb', 'killfairc'],
      volumes: [600, 250, 60],
      maxTweets: 200,
      runs: 10,
      cleanEvery: 5,
      minKills: 3,
    });
  });
});
