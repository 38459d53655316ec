import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MEMORY_CAPS } from '../../bin/memory-caps.js';
import type { ContenderArgs } from '../contenders/common.js';
import type { MeasuredCommand } from './measure.js';

/** Repository root (bench/lib/../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONTENDERS = fileURLToPath(new URL('../contenders/', import.meta.url));
/** Debian's python with python3-tweepy (not the pyenv python3 on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** The bearer token every contender sends (the emulator accepts any non-empty token). */
export const BENCH_TOKEN = 'bench';

/** What a contender run is given. */
export interface RunContext {
  readonly url: string;
  readonly query: string;
  /** A fresh, empty directory for this run's state and output. */
  readonly dir: string;
  /** The JSONL file the contender must write. */
  readonly out: string;
  readonly timeoutMs: number;
  /** Extra CLI flags (budget run). */
  readonly cliFlags?: readonly string[];
}

/** A contender: a name and how to launch it. */
export interface Contender {
  /** Short id used in flags and tables, e.g. `cli`, `tweepy@10`. */
  readonly id: string;
  readonly label: string;
  readonly command: (ctx: RunContext) => MeasuredCommand;
}

function contenderArgs(ctx: RunContext, maxResults: number | undefined): string {
  const args: ContenderArgs = {
    url: ctx.url,
    query: ctx.query,
    out: ctx.out,
    token: BENCH_TOKEN,
    ...(maxResults === undefined ? {} : { maxResults }),
  };
  return JSON.stringify(args);
}

let cliPath = join(ROOT, 'dist/cli.js');
let cliExtraFlags: readonly string[] = [];

/** Benchmarks another build of the CLI (before/after comparisons) and/or adds flags to every CLI run. */
export function configureCli(options: { path?: string; extraFlags?: readonly string[] }): void {
  if (options.path !== undefined) cliPath = options.path;
  if (options.extraFlags !== undefined) cliExtraFlags = options.extraFlags;
}

/** The dist/cli.js the CLI contender runs. */
export function currentCliPath(): string {
  return cliPath;
}

/**
 * The node flags the CLI runs with when installed, so that the harness can still pick this node
 * binary: those of an older build's `#!/usr/bin/env -S node <flags>` line, else the caps the bin
 * launcher (bin/launcher.ts) adds.
 */
export function shebangNodeFlags(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env\s+(?:-S\s+)?node\b(.*)$/.exec(first);
  const flags = (m?.[1] ?? '').split(' ').filter((x) => x !== '');
  return flags.length > 0 ? flags : [...MEMORY_CAPS];
}

/** Our CLI, exactly as in the issue (it always asks for max_results=100), as its bin runs it. */
function cliCommand(path: () => string, extra: () => readonly string[]): Contender['command'] {
  return (ctx) => ({
    command: process.execPath,
    args: [
      ...shebangNodeFlags(path()),
      path(),
      'poll',
      '--query',
      ctx.query,
      '--store',
      `sqlite:${join(ctx.dir, 'state.db')}`,
      '--sink',
      `jsonl:${ctx.out}`,
      '--initial',
      '7d',
      '--max-tweets',
      '1000000',
      '--min-interval',
      '0',
      '--time-budget',
      '3600',
      ...(ctx.cliFlags ?? []),
      ...extra(),
    ],
    env: { X_API_BASE_URL: ctx.url, X_BEARER_TOKEN: BENCH_TOKEN },
    timeoutMs: ctx.timeoutMs,
  });
}

export const CLI: Contender = {
  id: 'cli',
  label: 'twitter-poller CLI (dist/cli.js poll)',
  command: cliCommand(
    () => cliPath,
    () => cliExtraFlags,
  ),
};

/**
 * Another build or configuration of the CLI as an extra contender, for before/after comparisons in
 * one round-robin run: `name=PATH [FLAGS...]`, e.g. `batch100=dist/cli.js --batch-size 100`.
 */
export function cliVariant(spec: string): Contender {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--cli-variant '${spec}': expected NAME=PATH [FLAGS...]`);
  const [path = '', ...flags] = spec
    .slice(eq + 1)
    .split(' ')
    .filter((x) => x !== '');
  const abs = path.startsWith('/') ? path : join(ROOT, path);
  if (!existsSync(abs)) throw new Error(`--cli-variant '${spec}': ${abs} does not exist`);
  return {
    id: `cli:${spec.slice(0, eq)}`,
    label: `CLI variant ${spec.slice(0, eq)} (${spec.slice(eq + 1)})`,
    command: cliCommand(
      () => abs,
      () => flags,
    ),
  };
}

let compiledDir: string | undefined;

/**
 * Snapshots what the runs execute, so that a rebuild or an edit of the shared tree during a long run
 * cannot change (or break) it halfway: compiles the Node contenders and the emulator launcher with
 * esbuild (the contenders' dependencies left in node_modules, the emulator bundled), and copies
 * dist/cli.js with its chunks and build/lambda/lambda.mjs. Compiled contenders also start like the prebuilt
 * CLI, not through tsx. Returns a cleanup.
 */
export async function prepareSnapshot(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-snapshot-'));
  await build({
    entryPoints: ['bare-loop.ts', 'bare-http.ts', 'twitter-api-v2.ts'].map((f) => join(CONTENDERS, f)),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'error',
  });
  await build({
    entryPoints: [join(ROOT, 'bench/launch-emulator.ts')],
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'error',
  });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  compiledDir = dir;
  if (cliPath === join(ROOT, 'dist/cli.js') && existsSync(cliPath)) {
    mkdirSync(join(dir, 'dist'));
    cpSync(join(ROOT, 'dist/cli.js'), join(dir, 'dist/cli.js'));
    if (existsSync(join(ROOT, 'dist/chunks')))
      cpSync(join(ROOT, 'dist/chunks'), join(dir, 'dist/chunks'), { recursive: true });
    if (existsSync(join(ROOT, LAMBDA_BUNDLE))) {
      mkdirSync(join(dir, 'build/lambda'), { recursive: true });
      cpSync(join(ROOT, LAMBDA_BUNDLE), join(dir, LAMBDA_BUNDLE));
      lambdaPath = join(dir, LAMBDA_BUNDLE);
    }
    cliPath = join(dir, 'dist/cli.js');
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

/** The bundled emulator launcher of the snapshot, if {@link prepareSnapshot} ran. */
export function snapshotLauncher(): string | undefined {
  return compiledDir === undefined ? undefined : join(compiledDir, 'launch-emulator.mjs');
}

/** Where npm run build writes the Lambda bundle (scripts/lambda-bundle.mjs). */
export const LAMBDA_BUNDLE = 'build/lambda/lambda.mjs';
let lambdaPath = join(ROOT, LAMBDA_BUNDLE);

/** The Lambda bundle to measure (the snapshot's copy once taken). */
export function currentLambdaPath(): string {
  return lambdaPath;
}

function nodeContender(id: string, label: string, file: string, maxResults: number | undefined): Contender {
  return {
    id,
    label,
    command: (ctx) => {
      if (compiledDir === undefined) throw new Error('call prepareSnapshot() first');
      return {
        command: process.execPath,
        args: [join(compiledDir, file.replace(/\.ts$/, '.mjs')), contenderArgs(ctx, maxResults)],
        timeoutMs: ctx.timeoutMs,
      };
    },
  };
}

function tweepyContender(id: string, label: string, maxResults: number | undefined): Contender {
  return {
    id,
    label,
    command: (ctx) => ({
      command: SYSTEM_PYTHON,
      args: [join(CONTENDERS, 'tweepy_paginator.py'), contenderArgs(ctx, maxResults)],
      timeoutMs: ctx.timeoutMs,
    }),
  };
}

export const BARE: Contender = nodeContender('bare', 'bare fetch loop, max_results=100', 'bare-loop.ts', 100);
export const BARE_HTTP = nodeContender(
  'bare-http',
  'bare node:http loop, max_results=100',
  'bare-http.ts',
  100,
);
export const BARE_DEFAULT = nodeContender(
  'bare@10',
  'bare fetch loop, default page (10)',
  'bare-loop.ts',
  undefined,
);
export const TAV2 = nodeContender(
  'twitter-api-v2',
  'twitter-api-v2 paginator, max_results=100',
  'twitter-api-v2.ts',
  100,
);
export const TAV2_DEFAULT = nodeContender(
  'twitter-api-v2@10',
  'twitter-api-v2 paginator, default page (10)',
  'twitter-api-v2.ts',
  undefined,
);
export const TWEEPY = tweepyContender('tweepy', 'tweepy Paginator, max_results=100', 100);
export const TWEEPY_DEFAULT = tweepyContender('tweepy@10', 'tweepy Paginator, default page (10)', undefined);

/**
 * Checks that `/usr/bin/python3 -c 'import tweepy'` works; if not and `installPeers` (the bench's
 * `--install-peers`), tries `apt-get install -y python3-tweepy` once. Returns a note explaining why
 * tweepy is skipped, or undefined when usable. Nothing is installed unless asked for.
 */
export function ensureTweepy(log: (line: string) => void, installPeers = false): string | undefined {
  const check = () =>
    existsSync(SYSTEM_PYTHON) &&
    spawnSync(SYSTEM_PYTHON, ['-c', 'import tweepy'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (check()) return undefined;
  if (!installPeers) {
    return 'tweepy SKIPPED: /usr/bin/python3 cannot import tweepy (install python3-tweepy, or run the bench with --install-peers to let it run apt-get install -y python3-tweepy)';
  }
  log('tweepy: `/usr/bin/python3 -c "import tweepy"` failed; trying `apt-get install -y python3-tweepy`');
  const apt = spawnSync('apt-get', ['install', '-y', 'python3-tweepy'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (check()) return undefined;
  const why = apt.error
    ? apt.error.message
    : `apt-get exited ${apt.status}: ${(apt.stderr ?? '').trim().slice(-300)}`;
  return `tweepy SKIPPED: /usr/bin/python3 cannot import tweepy and \`apt-get install -y python3-tweepy\` failed (${why})`;
}
