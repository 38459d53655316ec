/**
 * The poller as a real process (HttpXApi, SQLite file, JSONL file), SIGKILLed at random points across
 * many runs while posts keep being published between runs, then one clean run: every ground-truth id
 * delivered, none unexpected, duplicates only from the pages not yet committed at a kill (group commit:
 * the children commit every 2 pages, then one fsync, one checkpoint). The same test with a
 * deliberately naive checkpoint (since_id := the first page's newest_id) must lose posts: the negative
 * control that proves the measurement can fail.
 *
 * The kill schedule is random but seeded: POLLER_KILL_SEED=<seed printed below> replays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import {
  type ChildConfig,
  childBundle,
  expireLeases,
  type KillPoint,
  prng,
  runChild,
} from './support-poller/child.js';
import {
  compareDelivery,
  publishMatching,
  readJsonlIds,
  startPollerEmulator,
  TOKEN,
} from './support-poller/rig.js';

const WORD = 'killjoy';
const BATCH = 7;
/** Posts per page (recent search's max_results). */
const PAGE = 100;
/** Pages per commit of the children (page count only: the kill schedule below counts on it). */
const COMMIT_PAGES = 2;
/** The most a kill can make the next run deliver again: a commit group. */
const GROUP = COMMIT_PAGES * PAGE;
const ROUNDS = 14;
const SEED = Number(process.env.POLLER_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Round {
  readonly publish: number;
  readonly kill: KillPoint;
}

/** The schedule: a backlog first (a long sweep, killed inside it), then live posts and random kills. */
function schedule(seed: number): Round[] {
  const random = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  // Killed inside the backlog's sweep, after its first commit (2 pages, 200 posts = 29 batches). The
  // backlog (12 pages) runs well past the last kill point (80 batches, under 6 pages): on a loaded
  // machine the SIGKILL lands some batches after the one counted, and with 6 pages the child could
  // finish the sweep first (the naive control then lost nothing: seen once in a full run).
  const rounds: Round[] = [{ publish: 1_200, kill: { afterBatches: int(30, 80) } }];
  for (let i = 1; i < ROUNDS; i++) {
    const kind = random();
    const kill: KillPoint =
      kind < 0.5 ? { afterBatches: int(1, 25) } : kind < 0.9 ? { afterMs: int(0, 120) } : null;
    rounds.push({ publish: int(0, 160), kill });
  }
  return rounds;
}

interface Tally {
  readonly truth: string[];
  readonly delivered: string[];
  readonly kills: number;
  readonly runs: number;
}

describe(`poller processes SIGKILLed at random points (seed ${SEED})`, () => {
  let emu: RunningEmulator;
  const dirs: string[] = [];
  beforeAll(async () => {
    emu = await startPollerEmulator({ posts: 500 });
    await childBundle();
  });
  afterAll(async () => {
    await emu.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Every round's run (killed or not), then clean runs until caught up; what the sink holds. */
  async function killAcrossRuns(naive: boolean): Promise<Tally> {
    emu.reset();
    emu.setFaults({ rate: 0.05, kinds: ['503', 'reset', 'short-page', 'empty-page'], seed: SEED });
    const dir = mkdtempSync(join(tmpdir(), 'tp-poller-kill-'));
    dirs.push(dir);
    const since = timeMsToId(emu.now() - 1_000);
    const config: ChildConfig = {
      baseUrl: emu.url,
      token: TOKEN,
      dbPath: join(dir, 'state.db'),
      sinkPath: join(dir, 'posts.jsonl'),
      query: WORD,
      since,
      batchSize: BATCH,
      commitPages: COMMIT_PAGES,
      naive,
    };
    let kills = 0;
    let runs = 0;
    for (const round of schedule(SEED)) {
      if (round.publish > 0) publishMatching(emu, WORD, round.publish);
      const out = await runChild(config, round.kill);
      runs++;
      if (out.signal === 'SIGKILL') kills++;
      else expect(out.code, out.stderr).toBe(0);
      expireLeases(config.dbPath); // time passes: a killed run's lease runs out
    }
    publishMatching(emu, WORD, 25); // published after the last kill, before the clean run
    emu.setFaults({});
    let clean = await runChild(config, null);
    runs++;
    for (let i = 0; i < 2 && clean.code !== 0; i++) {
      clean = await runChild(config, null);
      runs++;
    }
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain('"caught_up":true');
    return {
      truth: emu.groundTruth({ endpoint: 'search_recent', query: WORD, since_id: since }),
      delivered: readJsonlIds(config.sinkPath),
      kills,
      runs,
    };
  }

  it('frontier checkpoint: every post delivered, none unexpected, duplicates only from the commit group in flight', {
    timeout: 60_000,
  }, async () => {
    const t = await killAcrossRuns(false);
    const d = compareDelivery(t.truth, t.delivered);
    process.stdout.write(
      `[poller-sigkill] seed=${SEED} runs=${t.runs} kills=${t.kills} truth=${t.truth.length} delivered=${t.delivered.length} duplicates=${d.duplicates} lost=${d.lost.length}\n`,
    );
    expect(t.truth.length).toBeGreaterThan(600);
    expect(t.kills).toBeGreaterThanOrEqual(3); // the schedule really killed runs mid-way
    expect(d.lost, `seed ${SEED}`).toEqual([]);
    expect(d.unexpected, `seed ${SEED}`).toEqual([]);
    expect(d.duplicates, `seed ${SEED}`).toBeLessThanOrEqual(t.kills * GROUP);
  });

  it('negative control: the same kills with a naive checkpoint (since_id := first newest_id) lose posts', {
    timeout: 60_000,
  }, async () => {
    const t = await killAcrossRuns(true);
    const d = compareDelivery(t.truth, t.delivered);
    process.stdout.write(
      `[poller-sigkill naive] seed=${SEED} runs=${t.runs} kills=${t.kills} truth=${t.truth.length} lost=${d.lost.length}\n`,
    );
    expect(t.kills).toBeGreaterThanOrEqual(1);
    expect(d.unexpected).toEqual([]);
    expect(d.lost.length).toBeGreaterThan(0);
  });
});
