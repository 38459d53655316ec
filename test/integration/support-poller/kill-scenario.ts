/**
 * The kill scenario several poller integration tests share: streams with skewed volumes sharing a
 * max_tweets, polled by child processes of the built CLI that are SIGKILLed after a random number of
 * batches in most runs, then run clean until caught up. Nothing may be lost or foreign; duplicates stay
 * within one commit group per stream per kill.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunningEmulator } from '../../../emulator/index.js';
import { DEFAULT_RUN_OPTIONS } from '../../../src/config/defaults.js';
import { timeMsToId } from '../../../src/core/ids.js';
import { type ChildConfig, killThenCatchUp, prng } from './child.js';
import { compareDelivery, publishMatching, readJsonlIds, TOKEN } from './rig.js';

const PAGE = 100;

/** What one kill scenario runs. */
export interface KillScenario {
  readonly tag: string;
  readonly seed: number;
  readonly dir: string;
  readonly queries: readonly string[];
  readonly volumes: readonly number[];
  readonly maxTweets: number;
  readonly concurrency?: number;
  /** Child runs, every `cleanEvery`-th one not killed. */
  readonly runs: number;
  readonly cleanEvery: number;
  readonly minKills: number;
}

/** Runs `s` against `emu` and asserts its outcome. */
export async function runKillScenario(emu: RunningEmulator, s: KillScenario): Promise<void> {
  const since = timeMsToId(emu.now() - 1_000);
  s.queries.forEach((q, i) => {
    publishMatching(emu, q, s.volumes[i] as number);
  });
  const config: ChildConfig = {
    baseUrl: emu.url,
    token: TOKEN,
    dbPath: join(s.dir, 'state.db'),
    sinkPath: join(s.dir, 'posts.jsonl'),
    query: s.queries[0] as string,
    moreQueries: s.queries.slice(1),
    since,
    batchSize: 9,
    naive: false,
    maxTweets: s.maxTweets,
    ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }),
  };
  const { kills, caughtUp, failures } = await killThenCatchUp(config, s.runs, s.cleanEvery, prng(s.seed));
  expect(failures.map((f) => f.stderr)).toEqual([]);
  expect(caughtUp).toBe(true);
  const truth = s.queries.flatMap((q) =>
    emu.groundTruth({ endpoint: 'search_recent', query: q, since_id: since }),
  );
  const d = compareDelivery(truth, readJsonlIds(config.sinkPath));
  process.stdout.write(
    `[${s.tag}] seed=${s.seed} kills=${kills} truth=${truth.length} duplicates=${d.duplicates} lost=${d.lost.length}\n`,
  );
  expect(kills).toBeGreaterThanOrEqual(s.minKills);
  expect(d.lost, `seed ${s.seed}`).toEqual([]);
  expect(d.unexpected, `seed ${s.seed}`).toEqual([]);
  // Group commit: a kill re-delivers at most commitPages pages per stream (the child runs the defaults).
  expect(d.duplicates, `seed ${s.seed}`).toBeLessThanOrEqual(
    kills * s.queries.length * DEFAULT_RUN_OPTIONS.commitPages * PAGE,
  );
}
