/**
 * Two writers on one JSONL file and one SQLite store, one failing its appends (file size limit), over
 * several emulator seeds and limits: `npm run soak` runs many. Every post the healthy process
 * checkpointed survives the other's failure, and after reruns nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, idsOf, runTwoWriters } from '../integration/support-poller/two-writers.js';
import { emptyFigures, iterations, reportScenario } from '../property/support.js';

const SEEDS = iterations(1, 12);

describe('two writers, one failing, over many seeds', () => {
  it(`loses nothing over ${SEEDS} seed(s)`, async () => {
    const figures = emptyFigures();
    for (let i = 0; i < SEEDS; i++) {
      const seed = 2 + i;
      const r = await runTwoWriters(seed, 64 + 32 * (i % 4));
      figures.runs += 2 + 2 * r.reruns;
      figures.faults += r.failing.code === 1 ? 1 : 0;
      const truth = r.truth.flat();
      figures.published += truth.length;
      const survived = (r.truth[1] ?? []).filter((id) => !r.afterFirst.has(id));
      const all = new Set(idsOf(r.finalText));
      figures.lost += truth.filter((id) => !all.has(id)).length + survived.length;
      expect(r.failing.code, `seed ${seed}: ${r.failing.stderr}`).toBe(1);
      expect(caughtUp(r.healthy), `seed ${seed}`).toBe(true);
      expect(survived, `seed ${seed}: checkpointed by the healthy writer, then gone`).toEqual([]);
      expect(r.finalText.includes('\0'), `seed ${seed}`).toBe(false);
    }
    reportScenario('two-writers-one-failing', figures);
    expect(figures.lost).toBe(0);
  }, 600_000);
});
