/**
 * The fairness scenario's world (bench/fairness.ts, bench/fairness-profile.ts): one word per stream,
 * skewed volumes, mixed weights, served by an emulator process with limits effectively off.
 */
import { join } from 'node:path';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process.js';

/** One stream of the world: its name, the word its query matches, its posts and its weight. */
export interface StreamPlan {
  readonly name: string;
  readonly word: string;
  readonly posts: number;
  readonly weight: number;
}

/** The query of the one stream that matches every post of the world (`<word> post <i>`). */
export const ONE_QUERY = 'post';

/** Skewed volumes: stream i has about `top / (i + 1)` posts, at least `floor`; every fourth stream weight 2. */
export function plan(n: number, top: number, floor: number): StreamPlan[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `s${String(i).padStart(3, '0')}`,
    word: `fsw${i}x`,
    posts: Math.max(floor, Math.round(top / (i + 1))),
    weight: i % 4 === 1 ? 2 : 1,
  }));
}

/** An emulator process publishing `streams`' posts, its ground truth written under `base`. */
export function startWorld(streams: readonly StreamPlan[], base: string): Promise<EmulatorProcess> {
  return startEmulatorProcess({
    posts: 0,
    query: 'unused',
    limit: 1_000_000_000,
    windowSeconds: 900,
    groundTruthFile: join(base, 'truth.txt'),
    words: streams.map((s) => ({ word: s.word, posts: s.posts })),
    // Every stream's query and the one-stream query (ONE_QUERY) are matched before the run starts.
    warmQueries: [...streams.map((s) => s.word), ONE_QUERY],
  });
}
