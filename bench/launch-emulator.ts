/**
 * Starts one emulator for one benchmark run, in its own process so that its CPU never counts
 * against the contender. Usage: `node --import tsx bench/launch-emulator.ts '<json EmulatorSpec>'`.
 *
 * The corpus is published, not generated: `posts` posts spread evenly from 6 days to 1 hour before
 * now, so the whole set stays inside the recent-search 7-day window (and past the 30 s search delay)
 * for the whole run, and the bench query matches every post, so exactly `posts` posts match.
 * Prints one JSON line `{ url, count, groundTruthFile }` on stdout when ready; exits when stdin closes.
 */
import { writeFileSync } from 'node:fs';
import { type FaultOptions, startEmulator } from '../emulator/index.js';

/** What the harness asks of the emulator. */
export interface EmulatorSpec {
  /** Posts matching the bench query (the whole corpus). */
  readonly posts: number;
  readonly query: string;
  /** search_recent requests per window. */
  readonly limit: number;
  readonly windowSeconds: number;
  readonly faults?: FaultOptions;
  /** Where to write the ground-truth ids, one per line. */
  readonly groundTruthFile: string;
  /** @default 1 */
  readonly seed?: number;
  /**
   * More posts, each made of one of these words (`<word> post <i>`), spread like the corpus: one
   * stream's world per word (the fairness scenario). @default none
   */
  readonly words?: readonly { readonly word: string; readonly posts: number }[];
  /**
   * Search queries matched once before the emulator says it is ready, so that the first page of each
   * costs what any later page costs: the emulator scans its whole corpus the first time it sees a
   * query (it has no inverted index), and a run of 100 streams would otherwise time 100 such scans of
   * the emulator's against one. @default none
   */
  readonly warmQueries?: readonly string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as EmulatorSpec;
  const emulator = await startEmulator({
    seed: spec.seed ?? 1,
    posts: 0,
    users: 2000,
    requestLogLimit: 1,
    usageCap: 1_000_000_000,
    rateLimits: { search_recent: 1_000_000_000 },
  });
  const realNow = Date.now();
  const first = realNow - 6 * DAY_MS;
  const step = (6 * DAY_MS - HOUR_MS) / Math.max(1, spec.posts);
  for (let i = 0; i < spec.posts; i++) {
    emulator.setClock(Math.floor(first + i * step));
    emulator.publish({ count: 1 });
  }
  const words = spec.words ?? [];
  const total = words.reduce((sum, w) => sum + w.posts, 0);
  const wordStep = (6 * DAY_MS - HOUR_MS) / Math.max(1, total);
  let n = 0;
  for (const { word, posts } of words) {
    for (let i = 0; i < posts; i++, n++) {
      emulator.setClock(Math.floor(first + n * wordStep));
      emulator.publish({ posts: [{ text: `${word} post ${i}` }] });
    }
  }
  emulator.setClock(Date.now());
  const ids = emulator.groundTruth({ endpoint: 'search_recent', query: spec.query });
  writeFileSync(spec.groundTruthFile, ids.length === 0 ? '' : `${ids.join('\n')}\n`);
  for (const query of spec.warmQueries ?? []) emulator.groundTruth({ endpoint: 'search_recent', query });
  emulator.setLimits({ rateLimits: { search_recent: spec.limit }, windowSeconds: spec.windowSeconds });
  if (spec.faults) emulator.setFaults(spec.faults);
  process.stdout.write(
    `${JSON.stringify({ url: emulator.url, count: ids.length, groundTruthFile: spec.groundTruthFile })}\n`,
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

void main();
