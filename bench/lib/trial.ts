import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultOptions } from '../../emulator/index.js';
import type { Contender } from './contenders.js';
import { startEmulatorProcess } from './emulator-process.js';
import { measure } from './measure.js';
import { type Verification, verifyOutput } from './verify.js';

/**
 * The bench query. It matches every post of the published corpus (every generated post has one of
 * these languages), so the corpus size is exactly the number of matching posts.
 */
export const BENCH_QUERY = 'lang:en OR lang:es OR lang:fr OR lang:pt OR lang:ja OR lang:und';

/** The world a trial runs against. */
export interface WorldSpec {
  readonly posts: number;
  /** search_recent requests per window. @default effectively unlimited */
  readonly limit?: number;
  /** @default 900 */
  readonly windowSeconds?: number;
  readonly faults?: FaultOptions;
}

/** One contender run against a fresh emulator. */
export interface TrialResult {
  readonly contender: string;
  /** Spawn to exit, the output on disk (every contender fsyncs it; the CLI page by page). */
  readonly wallMs: number;
  /** The contender's own final fsync of its output, when it reports one (0 for the CLI). */
  readonly finalFsyncMs: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
  /** API requests the emulator answered (every status, faults included). */
  readonly requests: number;
  readonly status429: number;
  readonly statusCounts: Record<string, number>;
  readonly verification: Verification;
  readonly expected: number;
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Why the run failed, if it did (exit code, stderr tail). */
  readonly failure?: string;
}

/** Options of {@link runTrial}. */
export interface TrialOptions {
  readonly timeoutMs: number;
  readonly cliFlags?: readonly string[];
  /** Keep the temp dir (debugging). @default false */
  readonly keep?: boolean;
}

/** Starts a fresh emulator process, runs one contender in a fresh process, verifies its output. */
export async function runTrial(
  contender: Contender,
  world: WorldSpec,
  options: TrialOptions,
): Promise<TrialResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
  const spec = {
    posts: world.posts,
    query: BENCH_QUERY,
    limit: world.limit ?? 1_000_000_000,
    windowSeconds: world.windowSeconds ?? 900,
    groundTruthFile: join(dir, 'ground-truth.txt'),
    ...(world.faults ? { faults: world.faults } : {}),
  };
  // One retry: a start can fail on a loaded machine (port, slow generation).
  const emulator = await startEmulatorProcess(spec).catch(async () => {
    await new Promise((r) => setTimeout(r, 2000));
    return startEmulatorProcess(spec);
  });
  try {
    const out = join(dir, 'out.jsonl');
    const m = await measure(
      contender.command({
        url: emulator.url,
        query: BENCH_QUERY,
        dir,
        out,
        timeoutMs: options.timeoutMs,
        ...(options.cliFlags ? { cliFlags: options.cliFlags } : {}),
      }),
      join(dir, 'time.txt'),
    );
    const statusCounts = await emulator.statusCounts();
    const requests = Object.values(statusCounts).reduce((a, b) => a + b, 0);
    const verification = await verifyOutput(out, emulator.groundTruthFile);
    const ok = m.exitCode === 0 && !m.timedOut && verification.exact;
    const failure = ok
      ? undefined
      : m.timedOut
        ? `timed out after ${Math.round(options.timeoutMs / 1000)} s`
        : m.exitCode !== 0
          ? `exit ${m.exitCode}: ${lastLine(m.stderrTail)}`
          : `output differs from ground truth: ${verification.missing} missing, ${verification.extra} extra`;
    return {
      contender: contender.id,
      wallMs: m.wallMs,
      finalFsyncMs: reportedFsyncMs(m.stdout),
      cpuS: m.cpuS,
      peakRssMb: m.peakRssMb,
      requests,
      status429: statusCounts['429'] ?? 0,
      statusCounts,
      verification,
      expected: emulator.count,
      ok,
      exitCode: m.exitCode,
      timedOut: m.timedOut,
      ...(failure ? { failure } : {}),
    };
  } finally {
    await emulator.stop();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** `fsync_ms` of the contender's last stdout line (`{"posts":..,"fsync_ms":..}`), else 0. */
function reportedFsyncMs(stdout: string): number {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const value = (JSON.parse(last) as { fsync_ms?: unknown }).fsync_ms;
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const errorLine =
    [...lines].reverse().find((l) => / failed: |Error: |Exception: /.test(l)) ??
    [...lines].reverse().find((l) => /error|exception/i.test(l));
  return (errorLine ?? lines.at(-1) ?? '').trim().slice(0, 240);
}
