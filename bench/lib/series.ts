import type { Contender } from './contenders.js';
import { median, rotate } from './stats.js';
import { runTrial, type TrialOptions, type TrialResult, type WorldSpec } from './trial.js';

/** Medians of one contender's repetitions (the warm-up excluded). */
export interface Summary {
  readonly contender: Contender;
  readonly trials: readonly TrialResult[];
  readonly wallMs: number;
  /** Median of the contenders' own final fsync (included in wallMs). */
  readonly finalFsyncMs: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
  readonly requests: number;
  readonly status429: number;
  readonly postsWritten: number;
  readonly expected: number;
  /** Repetitions whose output equalled the ground truth and exited 0. */
  readonly okRuns: number;
  readonly failures: readonly string[];
}

/** Options of {@link runSeries}. */
export interface SeriesOptions extends TrialOptions {
  readonly reps: number;
  /** Run one unrecorded round first. */
  readonly warmup: boolean;
  /** Corpus size of the warm-up round (it warms caches and disk, it need not be full size). @default world.posts */
  readonly warmupPosts?: number;
  readonly log: (line: string) => void;
  /** Skip later repetitions of a contender once a repetition failed (crashes are deterministic). */
  readonly skipAfterFailure?: boolean;
}

/**
 * Runs every contender `reps` times (plus a warm-up round), round-robin with a rotated order per
 * repetition so that machine drift hits them equally, and reports medians.
 */
export async function runSeries(
  name: string,
  contenders: readonly Contender[],
  world: WorldSpec,
  options: SeriesOptions,
): Promise<Summary[]> {
  const results = new Map<string, TrialResult[]>(contenders.map((c) => [c.id, []]));
  const failedEarly = new Set<string>();
  const rounds = options.reps + (options.warmup ? 1 : 0);
  for (let round = 0; round < rounds; round++) {
    const warm = options.warmup && round === 0;
    for (const contender of rotate(contenders, round)) {
      if (options.skipAfterFailure && failedEarly.has(contender.id)) continue;
      const trialWorld =
        warm && options.warmupPosts !== undefined
          ? { ...world, posts: Math.min(world.posts, options.warmupPosts) }
          : world;
      const r = await runTrial(contender, trialWorld, options).catch((error: unknown) =>
        harnessFailure(contender, trialWorld, error),
      );
      const tag = warm ? 'warm-up' : `rep ${round + (options.warmup ? 0 : 1)}/${options.reps}`;
      options.log(
        `  [${name}] ${contender.id.padEnd(18)} ${tag.padEnd(8)} wall ${(r.wallMs / 1000).toFixed(2)} s, cpu ${r.cpuS.toFixed(2)} s, ` +
          `rss ${r.peakRssMb.toFixed(0)} MB, ${r.requests} req (${r.status429} x 429), ` +
          `${r.verification.lines}/${r.expected} posts${r.ok ? '' : ` FAILED: ${r.failure}`}`,
      );
      // A crash is recorded from a full-size repetition (the warm-up corpus is smaller), then not repeated.
      if (warm) continue;
      if (!r.ok && options.skipAfterFailure) failedEarly.add(contender.id);
      results.get(contender.id)!.push(r);
    }
  }
  return contenders.map((contender) => {
    const trials = results.get(contender.id)!;
    const ok = trials.filter((t) => t.ok);
    const pick = ok.length > 0 ? ok : trials;
    return {
      contender,
      trials,
      wallMs: median(pick.map((t) => t.wallMs)),
      finalFsyncMs: median(pick.map((t) => t.finalFsyncMs)),
      cpuS: median(pick.map((t) => t.cpuS)),
      peakRssMb: median(pick.map((t) => t.peakRssMb)),
      requests: median(pick.map((t) => t.requests)),
      status429: median(pick.map((t) => t.status429)),
      postsWritten: median(pick.map((t) => t.verification.lines)),
      expected: trials[0]?.expected ?? world.posts,
      okRuns: ok.length,
      failures: [...new Set(trials.filter((t) => !t.ok).map((t) => t.failure ?? 'failed'))],
    };
  });
}

/** A run the harness itself could not complete (e.g. the emulator failed to start): a failed trial. */
function harnessFailure(contender: Contender, world: WorldSpec, error: unknown): TrialResult {
  return {
    contender: contender.id,
    wallMs: Number.NaN,
    finalFsyncMs: Number.NaN,
    cpuS: Number.NaN,
    peakRssMb: Number.NaN,
    requests: Number.NaN,
    status429: Number.NaN,
    statusCounts: {},
    verification: { lines: 0, unique: 0, missing: world.posts, extra: 0, exact: false },
    expected: world.posts,
    ok: false,
    exitCode: null,
    timedOut: false,
    failure: `harness: ${error instanceof Error ? error.message : String(error)}`,
  };
}
