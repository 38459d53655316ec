/**
 * Model-based test (fc.commands + fc.asyncModelRun) over the real system in process: the engine,
 * HttpXApi over loopback to the emulator, SQLite on a temp file. Commands publish posts, run the
 * poller cleanly, run it with a kill at a random failpoint (the run is abandoned, its lease left to
 * expire), run it under HTTP faults, run two pollers at once and advance the clock. The model holds
 * what was published, the delivered multiset and the committed since_id. After every clean run that is
 * caught up, delivered covers the published (visible) posts; since_id never moves backwards; nothing
 * outside the ground truth is ever delivered; duplicates stay within COMMIT_PAGES pages per interruption
 * (group commit: the poller commits every --commit-pages pages).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind, RunningEmulator } from '../../emulator/index.js';
import type { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { compareIds } from '../../src/core/ids.js';
import type { FailpointLabel } from '../../src/core/run-types.js';
import { chaosRun, FAILPOINT_LABELS } from '../property/chaos-engine.js';
import {
  archiveStream,
  CollectingSink,
  compareDelivery,
  emptyFigures,
  fastOptions,
  NOW,
  reportScenario,
  runs,
  sqliteStore,
  startTestEmulator,
  tempDir,
} from '../property/support.js';

const QUERY = 'the OR coffee OR music';
const BATCH = 5;
/** search/all's max_results. */
const PAGE = 500;
/** Pages per commit: one interruption makes a later run deliver again at most this many pages. */
const COMMIT_PAGES = 3;
const LEASE_TTL = 60_000;
const FAULTS: FaultKind[] = [
  '429',
  '500',
  '503',
  'reset',
  'truncated',
  'invalid-json',
  'short-page',
  'empty-page',
];

interface Model {
  published: number;
  since: string;
  interruptions: number;
}

interface Real {
  emu: RunningEmulator;
  store: SqliteCheckpointStore;
  sink: CollectingSink;
  stream: string;
  time: number;
  runs: number;
}

const figures = emptyFigures();

function options(real: Real, maxTweets = 100_000) {
  return fastOptions({
    batchSize: BATCH,
    commitPages: COMMIT_PAGES,
    maxTweets,
    leaseTtlMs: LEASE_TTL,
    correlationId: `m-${++real.runs}`,
  });
}

async function checkInvariants(m: Model, r: Real): Promise<void> {
  const saved = await r.store.load(r.stream);
  if (saved !== null) {
    if (compareIds(saved.sinceId, m.since) < 0) figures.regressions++;
    expect(compareIds(saved.sinceId, m.since)).toBeGreaterThanOrEqual(0);
    m.since = saved.sinceId;
  }
  const truth = r.emu.groundTruth({ endpoint: 'search_all', query: QUERY });
  const d = compareDelivery(truth, r.sink.ids);
  figures.unexpected += d.unexpected;
  expect(d.unexpected).toBe(0);
  expect(d.duplicates).toBeLessThanOrEqual(m.interruptions * COMMIT_PAGES * PAGE);
}

async function afterCleanRun(m: Model, r: Real, caughtUp: boolean): Promise<void> {
  await checkInvariants(m, r);
  if (!caughtUp) return;
  const truth = r.emu.groundTruth({ endpoint: 'search_all', query: QUERY });
  const d = compareDelivery(truth, r.sink.ids);
  expect(d.lostIds).toEqual([]);
}

class PublishCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.publish({ count: this.count });
    m.published += this.count;
  }
  toString = () => `publish(${this.count})`;
}

class PollCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly maxTweets: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.setFaults({});
    const res = await chaosRun(
      r.emu,
      r.store,
      r.sink,
      [archiveStream(QUERY, r.stream)],
      options(r, this.maxTweets),
      r.time,
    );
    figures.runs++;
    r.time = res.endMs + 1;
    expect(res.kind).toBe('done');
    if (res.kind !== 'done') return;
    const outcome = res.summary.streams[0]!.outcome;
    expect(['caught_up', 'budget_exhausted']).toContain(outcome);
    await afterCleanRun(m, r, res.summary.caught_up);
  }
  toString = () => `poll(max ${this.maxTweets})`;
}

class KillCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly label: FailpointLabel,
    readonly nth: number,
    readonly commitFirst: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.setFaults({});
    const res = await chaosRun(r.emu, r.store, r.sink, [archiveStream(QUERY, r.stream)], options(r), r.time, {
      kill: { label: this.label, nth: this.nth, commitFirst: this.commitFirst },
    });
    figures.runs++;
    if (res.kind === 'killed') {
      figures.kills++;
      m.interruptions++;
      r.time = res.endMs + LEASE_TTL + 1; // the abandoned lease expires before anyone else runs
    } else {
      r.time = res.endMs + 1;
    }
    await checkInvariants(m, r);
  }
  toString = () => `kill(${this.label}:${this.nth}${this.commitFirst ? ', committed' : ''})`;
}

class FaultyPollCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly rate: number,
    readonly seed: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.setFaults({ rate: this.rate, kinds: FAULTS, seed: this.seed });
    figures.faults++;
    const res = await chaosRun(r.emu, r.store, r.sink, [archiveStream(QUERY, r.stream)], options(r), r.time);
    r.emu.setFaults({});
    figures.runs++;
    r.time = res.endMs + 1;
    if (res.kind === 'done' && !res.summary.caught_up) m.interruptions++;
    await checkInvariants(m, r);
  }
  toString = () => `faulty-poll(${this.rate}, seed ${this.seed})`;
}

class TwoPollersCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.setFaults({});
    const [a, b] = await Promise.all([
      chaosRun(r.emu, r.store, r.sink, [archiveStream(QUERY, r.stream)], options(r), r.time),
      chaosRun(r.emu, r.store, r.sink, [archiveStream(QUERY, r.stream)], options(r), r.time),
    ]);
    figures.runs += 2;
    r.time = Math.max(a.endMs, b.endMs) + 1;
    const outcomes = [a, b].map((x) => (x.kind === 'done' ? x.summary.streams[0]!.outcome : 'killed'));
    // One store, one lease: at most one of them polls; the other sees the stream locked (or runs after).
    expect(outcomes.filter((o) => o === 'skipped_locked').length).toBeGreaterThanOrEqual(1);
    await afterCleanRun(m, r, outcomes.includes('caught_up'));
  }
  toString = () => 'two-pollers';
}

class AdvanceClockCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.emu.advanceClock(this.ms);
    r.time += this.ms;
    await checkInvariants(m, r);
  }
  toString = () => `advance(${this.ms} ms)`;
}

const commands = [
  fc.integer({ min: 1, max: 60 }).map((n) => new PublishCommand(n)),
  fc.integer({ min: 1, max: 200 }).map((n) => new PollCommand(n)),
  fc
    .tuple(fc.constantFrom(...FAILPOINT_LABELS), fc.integer({ min: 1, max: 4 }), fc.boolean())
    .map(([l, n, c]) => new KillCommand(l, n, c)),
  fc
    .tuple(fc.constantFrom(0.2, 0.5), fc.integer({ min: 1, max: 1e6 }))
    .map(([p, s]) => new FaultyPollCommand(p, s)),
  fc.constant(new TwoPollersCommand()),
  fc.integer({ min: 1_000, max: 3_600_000 }).map((ms) => new AdvanceClockCommand(ms)),
];

describe('model-based: publish / poll / kill / faults / two pollers / clock', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  let n = 0;
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 120 });
    dir = tempDir('tp-model-');
  });
  afterAll(async () => {
    reportScenario('model-based (in-process, SQLite)', figures);
    await emu.close();
    dir.remove();
  });

  it('delivered covers published after every clean caught-up run; nothing regresses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 12 }), async (cmds) => {
        emu.reset();
        const store = sqliteStore(dir.dir, `model-${++n}.db`);
        const real: Real = {
          emu,
          store,
          sink: new CollectingSink(),
          stream: `model-${n}`,
          time: NOW,
          runs: 0,
        };
        const model: Model = { published: 0, since: '1', interruptions: 0 };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // Final clean runs: everything published must be delivered.
          emu.setFaults({});
          for (let i = 0; i < 10; i++) {
            const res = await chaosRun(
              emu,
              store,
              real.sink,
              [archiveStream(QUERY, real.stream)],
              options(real),
              real.time,
            );
            real.time = res.endMs + 1;
            if (res.kind === 'done' && res.summary.caught_up) break;
          }
          const truth = emu.groundTruth({ endpoint: 'search_all', query: QUERY });
          const d = compareDelivery(truth, real.sink.ids);
          figures.published += truth.length;
          figures.lost += d.lost;
          figures.duplicates += d.duplicates;
          expect(d.lostIds).toEqual([]);
          expect(d.unexpected).toBe(0);
        } finally {
          await store.close();
        }
      }),
      { numRuns: runs(100) },
    );
  });
});
