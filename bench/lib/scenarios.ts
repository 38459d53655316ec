import type { FaultKind } from '../../emulator/index.js';
import type { Contender } from './contenders.js';
import { runSeries, type SeriesOptions, type Summary } from './series.js';

/** Drain: collect every matching post, generous limits. */
export interface DrainResult {
  readonly posts: number;
  /** Repetitions, as text (the @10 runs may use fewer). */
  readonly reps?: string;
  readonly summaries: readonly Summary[];
}

/** Budget: a scaled rate-limit window. */
export interface BudgetResult {
  readonly posts: number;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Fewest requests that can collect every post (100 a page, plus no extra page). */
  readonly minRequests: number;
  /** ceil(minRequests / limit). */
  readonly windows: number;
  /** (windows - 1) x window: the last window's requests take no time at the limit. */
  readonly minSeconds: number;
  readonly cliMinIntervalMs: number;
  readonly summaries: readonly Summary[];
}

/** Faults: the drain with seeded random faults. */
export interface FaultsResult {
  readonly posts: number;
  readonly rate: number;
  readonly kinds: readonly FaultKind[];
  readonly seed: number;
  readonly summaries: readonly Summary[];
}

/** Scale: our CLI at growing corpus sizes. */
export interface ScaleResult {
  readonly points: readonly { posts: number; summary: Summary }[];
}

export async function drainScenario(
  contenders: readonly Contender[],
  posts: number,
  options: SeriesOptions,
): Promise<DrainResult> {
  return { posts, summaries: await runSeries('drain', contenders, { posts }, options) };
}

export async function budgetScenario(
  contenders: readonly Contender[],
  posts: number,
  limit: number,
  windowSeconds: number,
  cliMinIntervalMs: number,
  options: SeriesOptions,
): Promise<BudgetResult> {
  const minRequests = Math.ceil(posts / 100);
  const windows = Math.ceil(minRequests / limit);
  const summaries = await runSeries(
    'budget',
    contenders,
    { posts, limit, windowSeconds },
    { ...options, cliFlags: ['--min-interval', String(cliMinIntervalMs)] },
  );
  return {
    posts,
    limit,
    windowSeconds,
    minRequests,
    windows,
    minSeconds: (windows - 1) * windowSeconds,
    cliMinIntervalMs,
    summaries,
  };
}

export async function faultsScenario(
  contenders: readonly Contender[],
  posts: number,
  rate: number,
  kinds: readonly FaultKind[],
  seed: number,
  options: SeriesOptions,
): Promise<FaultsResult> {
  const summaries = await runSeries('faults', contenders, { posts, faults: { rate, kinds, seed } }, options);
  return { posts, rate, kinds, seed, summaries };
}

export async function scaleScenario(
  cli: Contender,
  sizes: readonly number[],
  options: SeriesOptions,
): Promise<ScaleResult> {
  const points: { posts: number; summary: Summary }[] = [];
  for (const posts of sizes) {
    const [summary] = await runSeries(`scale ${posts}`, [cli], { posts }, options);
    points.push({ posts, summary: summary! });
  }
  return { points };
}
