/**
 * Spawning poll-child.ts as a real process (bundled once with esbuild, as the CLI tests do, so that a
 * spawn costs a Node start and not a TypeScript compile) and killing it with SIGKILL at a chosen point:
 * after its n-th acknowledged batch, or some milliseconds after it started polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { removeStaleBundles } from '../../support/stale-bundles.js';

/** What poll-child.ts reads from POLLER_CHILD_CONFIG. */
export interface ChildConfig {
  readonly baseUrl: string;
  readonly token: string;
  readonly dbPath: string;
  readonly sinkPath: string;
  readonly query: string;
  readonly since: string;
  readonly batchSize: number;
  readonly naive: boolean;
  /** More streams in the same run, `<query>` each named after its query (the fair-share kill test). @default none */
  readonly moreQueries?: readonly string[];
  /** The run's max_tweets. @default 1000000 */
  readonly maxTweets?: number;
  /** Group commit: pages per commit (the time bound is then off). @default DEFAULT_RUN_OPTIONS' */
  readonly commitPages?: number;
  /** Streams polled at once (`--concurrency`). @default 1 */
  readonly concurrency?: number;
}

/** Where to SIGKILL a child: after its n-th `batch` log line, or `ms` after `execution_start`. */
export type KillPoint = { readonly afterBatches: number } | { readonly afterMs: number } | null;

export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `batch` lines the child logged (acknowledged batches). */
  readonly batches: number;
  readonly stderr: string;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let bundle: Promise<string> | undefined;

/** Bundles poll-child.ts into .tmp/ of the repository (its packages resolve from node_modules). */
export function childBundle(): Promise<string> {
  bundle ??= (async () => {
    const outdir = join(ROOT, '.tmp', `poller-child-${process.pid}`);
    removeStaleBundles(join(ROOT, '.tmp'), 'poller-child-');
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    await build({
      entryPoints: { child: join(ROOT, 'test/integration/support-poller/poll-child.ts') },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    return join(outdir, 'child.mjs');
  })();
  return bundle;
}

/** Runs one child execution, SIGKILLed at `kill` if it gets there; bounded by `timeoutMs`. */
export async function runChild(
  config: ChildConfig,
  kill: KillPoint,
  timeoutMs = 30_000,
): Promise<ChildOutcome> {
  const child: ChildProcess = spawn(process.execPath, [await childBundle()], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', POLLER_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let pending = '';
  let batches = 0;
  const killNow = () => child.kill('SIGKILL');
  const guard = setTimeout(killNow, timeoutMs);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (kill !== null && 'afterMs' in kill && line.includes('"event":"execution_start"')) {
        setTimeout(killNow, kill.afterMs);
      }
      if (line.includes('"event":"batch"')) {
        batches++;
        if (kill !== null && 'afterBatches' in kill && batches === kill.afterBatches) killNow();
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, batches, stderr });
    });
  });
}

/** What the lease of a SIGKILLed process becomes once its TTL has passed. */
export function expireLeases(dbPath: string): void {
  const db = new Database(dbPath);
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE leases SET expires_at_ms = 0').run();
  } finally {
    db.close();
  }
}

/** sfc32: a small seeded PRNG, so that a failing kill schedule can be replayed (POLLER_KILL_SEED). */
export function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * `runs` child runs of `config`, each killed after a random number of batches except every
 * `cleanEvery`-th, leases expired between runs (a killed child holds its leases for the TTL); then
 * clean runs (at most 9) until the child reports `caught_up`. Resolves with the kills made and
 * whether the streams caught up.
 */
export async function killThenCatchUp(
  config: ChildConfig,
  runs: number,
  cleanEvery: number,
  random: () => number,
): Promise<{ kills: number; caughtUp: boolean; failures: ChildOutcome[] }> {
  let kills = 0;
  const failures: ChildOutcome[] = [];
  for (let i = 0; i < runs; i++) {
    const kill = i % cleanEvery === cleanEvery - 1 ? null : { afterBatches: 1 + Math.floor(random() * 20) };
    const out = await runChild(config, kill);
    if (out.signal === 'SIGKILL') kills++;
    else if (out.code !== 0) failures.push(out);
    expireLeases(config.dbPath);
  }
  let clean = await runChild(config, null);
  for (let i = 0; i < 8 && !clean.stderr.includes('"caught_up":true'); i++)
    clean = await runChild(config, null);
  return { kills, caughtUp: clean.stderr.includes('"caught_up":true'), failures };
}
