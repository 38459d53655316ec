import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { removeStaleBundles } from '../support/stale-bundles.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let bundle: Promise<string> | undefined;

/**
 * Bundles bin/twitter-poller.ts from the current sources with the options of scripts/build.mjs, into
 * .tmp/ (inside the repository, so that its external packages resolve to node_modules). Spawning the
 * bundle costs a tenth of spawning the sources through tsx, and it is the artefact users run.
 */
export function cliBundle(): Promise<string> {
  bundle ??= (async () => {
    const outdir = join(ROOT, '.tmp', `cli-test-${process.pid}`);
    removeStaleBundles(join(ROOT, '.tmp'), 'cli-test-');
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    await build({
      entryPoints: { cli: join(ROOT, 'bin/twitter-poller.ts') },
      outdir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      packages: 'external',
      logLevel: 'warning',
    });
    return join(outdir, 'cli.js');
  })();
  return bundle;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Working directory; relative store and sink paths land here. */
  readonly cwd: string;
  /** Added to a minimal environment (PATH and HOME only: no X_BEARER_TOKEN leaks in from the host). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child after this long; the test then fails on its exit code. @default 30000 */
  readonly timeoutMs?: number;
}

/** Starts `twitter-poller <args>` as a child process (call `await cliBundle()` once first). */
export async function spawnCli(args: readonly string[], options: CliOptions): Promise<ChildProcess> {
  return spawn(process.execPath, [await cliBundle(), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits for a spawned CLI to exit and collects its output. */
export function collect(child: ChildProcess, timeoutMs = 30_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `twitter-poller <args>` to completion. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return collect(await spawnCli(args, options), options.timeoutMs);
}

/** The JSON log lines of stderr, parsed (non-JSON lines are dropped). */
export function logEvents(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The post ids of a JSONL output file, in file order. */
export const readIds = async (path: string): Promise<string[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);

/** Ids in ascending numeric order (BigInt), for set comparisons. */
export const sortedIds = (ids: readonly string[]): string[] =>
  [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
