/**
 * `npm run bench` (node --import tsx bench/run.ts): the poller against tweepy's Paginator, the
 * twitter-api-v2 paginator and a bare fetch loop on the emulator over loopback, plus scale and
 * Lambda cold start. Prints a markdown report and writes bench/results/<stamp>.md (+ .json, + the
 * scale chart .svg). `--help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultKind } from '../emulator/index.js';
import { measureColdStart } from './lib/cold-start.js';
import {
  BARE,
  BARE_DEFAULT,
  BARE_HTTP,
  CLI,
  type Contender,
  cliVariant,
  configureCli,
  currentCliPath,
  ensureTweepy,
  prepareSnapshot,
  ROOT,
  SYSTEM_PYTHON,
  TAV2,
  TAV2_DEFAULT,
  TWEEPY,
  TWEEPY_DEFAULT,
} from './lib/contenders.js';
import { load1, machineInfo } from './lib/machine.js';
import { GNU_TIME } from './lib/measure.js';
import { type BenchResults, checkTargets, renderMarkdown } from './lib/report.js';
import { budgetScenario, drainScenario, faultsScenario, scaleScenario } from './lib/scenarios.js';
import type { SeriesOptions } from './lib/series.js';
import { scaleSvg } from './lib/svg.js';

const USAGE = `usage: npm run bench -- [options]
  (default)               ~10 minutes: drain 100k (3 reps + warm-up; library defaults 1 rep), budget 100k,
                          faults 100k, scale 10k/100k, cold start; 1 rep where a run takes minutes
  --full                  the whole issue: 3 reps everywhere, budget 200k posts, scale up to 1,000,000 (~1 hour)
  --quick                 ~1-2 minute smoke run (small corpora, 1 repetition, no warm-up, no @10 runs)
  --scenarios LIST        comma list of drain,budget,faults,scale,cold (default: all)
  --contenders LIST       only these contender ids (cli,bare,bare-http,twitter-api-v2,tweepy and the @10 variants)
  --reps N                repetitions per contender in the drain (default 3; --quick 1)
  --defaults-reps N       repetitions of the default-page-size (@10) runs (default 1; --full 3)
  --no-warmup             skip the warm-up round
  --warmup-posts N        corpus of the warm-up round (default 10000)
  --no-defaults           skip the libraries' default page size (10) runs in the drain
  --drain-posts N         matching posts in drain and faults (default 100000; --quick 10000)
  --budget-posts N        posts in the budget run (default 100000; --full 200000; --quick 10000)
  --budget-limit N        requests per window (default 450; --quick 25)
  --budget-window S       window seconds (default 15; --quick 2)
  --budget-reps N         repetitions in the budget run (default 1; --full 3)
  --fault-rate P          random fault probability (default 0.05)
  --fault-reps N          repetitions in the fault run (default 1; --full 3)
  --scale LIST            corpus sizes of the scale run (default 10000,100000; --full 10000,100000,1000000; --quick 2000,20000)
  --scale-reps N          repetitions per scale size (default 1; --full 3)
  --cold-runs N           fresh processes per cold-start variant (default 10; --full 20; --quick 3)
  --lambda-variant SPEC   extra Lambda bundle in the cold-start round-robin, repeatable: NAME=PATH
                          e.g. --lambda-variant "before=.bench-builds/old/lambda.mjs" (before/after in one run)
  --cli PATH              benchmark this cli.js instead of dist/cli.js (before/after comparisons)
  --cli-flags="FLAGS"     extra flags for every CLI run, e.g. --cli-flags="--batch-size 100" (with =)
  --cli-variant SPEC      extra CLI contender (drain, budget, faults), repeatable: NAME=PATH [FLAGS...]
                          e.g. --cli-variant "batch100=dist/cli.js --batch-size 100" (before/after in one run;
                          none by default: the CLI's defaults are its best drain settings, max_results=100)
  --timeout S             per contender run, killed after (default 900)
  --install-peers         apt-get install what is missing (GNU time, python3-tweepy); off by default:
                          a missing tweepy is skipped with a note, a missing GNU time stops the bench
  --no-write              print only; do not write bench/results/ or bench/README.md
  --no-readme             write bench/results/ but leave bench/README.md alone`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    'install-peers': { type: 'boolean' },
    'defaults-reps': { type: 'string' },
    'warmup-posts': { type: 'string' },
    'fault-reps': { type: 'string' },
    scenarios: { type: 'string' },
    only: { type: 'string' },
    contenders: { type: 'string' },
    reps: { type: 'string' },
    'no-warmup': { type: 'boolean' },
    'no-defaults': { type: 'boolean' },
    'drain-posts': { type: 'string' },
    'budget-posts': { type: 'string' },
    'budget-limit': { type: 'string' },
    'budget-window': { type: 'string' },
    'budget-reps': { type: 'string' },
    'fault-rate': { type: 'string' },
    scale: { type: 'string' },
    'scale-reps': { type: 'string' },
    'cold-runs': { type: 'string' },
    timeout: { type: 'string' },
    cli: { type: 'string' },
    'cli-variant': { type: 'string', multiple: true },
    'lambda-variant': { type: 'string', multiple: true },
    'cli-flags': { type: 'string' },
    'no-write': { type: 'boolean' },
    'no-readme': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});

if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const quick = flags.quick ?? false;
function num(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`bench: --${name} must be a non-negative number, got '${raw}'\n`);
    process.exit(2);
  }
  return n;
}

const ALL_SCENARIOS = ['drain', 'budget', 'faults', 'scale', 'cold'] as const;
const scenarioList = (flags.scenarios ?? flags.only)?.split(',').map((x) => x.trim()) ?? [...ALL_SCENARIOS];
for (const sc of scenarioList) {
  if (!(ALL_SCENARIOS as readonly string[]).includes(sc)) {
    process.stderr.write(`bench: unknown scenario '${sc}' (one of ${ALL_SCENARIOS.join(', ')})\n`);
    process.exit(2);
  }
}
const want = (sc: (typeof ALL_SCENARIOS)[number]) => scenarioList.includes(sc);

const full = (flags.full ?? false) && !quick;
const pick = <T>(q: T, d: T, f: T): T => (quick ? q : full ? f : d);
const reps = num('reps', flags.reps, pick(1, 3, 3));
const defaultsReps = num('defaults-reps', flags['defaults-reps'], pick(1, 1, 3));
const warmup = !(flags['no-warmup'] ?? quick);
const warmupPosts = num('warmup-posts', flags['warmup-posts'], 10_000);
const drainPosts = num('drain-posts', flags['drain-posts'], pick(10_000, 100_000, 100_000));
const budgetPosts = num('budget-posts', flags['budget-posts'], pick(10_000, 100_000, 200_000));
const budgetLimit = num('budget-limit', flags['budget-limit'], pick(25, 450, 450));
const budgetWindow = num('budget-window', flags['budget-window'], pick(2, 15, 15));
const budgetReps = num('budget-reps', flags['budget-reps'], pick(1, 1, 3));
const faultRate = num('fault-rate', flags['fault-rate'], 0.05);
const faultReps = num('fault-reps', flags['fault-reps'], pick(1, 1, 3));
const scaleSizes = (flags.scale ?? pick('2000,20000', '10000,100000', '10000,100000,1000000'))
  .split(',')
  .map(Number);
const scaleReps = num('scale-reps', flags['scale-reps'], pick(1, 1, 3));
const coldRuns = num('cold-runs', flags['cold-runs'], pick(3, 10, 20));
/** --lambda-variant NAME=PATH: extra bundles for the cold-start round-robin. */
const lambdaVariants = (flags['lambda-variant'] ?? []).map((spec) => {
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    process.stderr.write(`bench: --lambda-variant must be NAME=PATH, got '${spec}'\n`);
    process.exit(2);
  }
  return { id: spec.slice(0, eq), path: spec.slice(eq + 1) };
});
const timeoutMs = num('timeout', flags.timeout, 900) * 1000;
const onlyContenders = flags.contenders?.split(',').map((x) => x.trim());

const log = (line: string) => process.stderr.write(`${line}\n`);
const notes: string[] = [];

function preflight(): void {
  if (!existsSync(GNU_TIME) && flags['install-peers']) {
    log(`bench: ${GNU_TIME} is missing; --install-peers: trying apt-get install -y time`);
    spawnSync('apt-get', ['install', '-y', 'time'], { stdio: 'inherit', timeout: 300_000 });
  }
  if (!existsSync(GNU_TIME)) {
    log(`bench: ${GNU_TIME} is missing: install GNU time (apt-get install time), or pass --install-peers`);
    process.exit(1);
  }
  configureCli({
    ...(flags.cli === undefined ? {} : { path: resolve(flags.cli) }),
    ...(flags['cli-flags'] === undefined
      ? {}
      : { extraFlags: flags['cli-flags'].split(' ').filter((x) => x !== '') }),
  });
  if (!existsSync(currentCliPath())) {
    log(`bench: ${currentCliPath()} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

function pythonVersion(): string {
  const r = spawnSync(
    SYSTEM_PYTHON,
    ['-c', 'import sys,tweepy; print(sys.version.split()[0], tweepy.__version__)'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const [py, tw] = (r.stdout ?? '').trim().split(' ');
  return r.status === 0 ? `python ${py} (${SYSTEM_PYTHON}), tweepy ${tw}` : `${SYSTEM_PYTHON}: no tweepy`;
}

function cliBuildInfo(): string {
  const cli = currentCliPath();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bin'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const extra = flags['cli-flags'] ? ` with extra flags \`${flags['cli-flags']}\`` : '';
  return `${cli === join(ROOT, 'dist/cli.js') ? 'dist/cli.js' : cli}${extra} built ${statSync(cli).mtime.toISOString()}, git ${git.stdout.trim() || '?'}${dirty.stdout.trim() ? ' with uncommitted src/ changes' : ''}`;
}

async function main(): Promise<void> {
  preflight();
  const tweepyNote = ensureTweepy(log, flags['install-peers'] ?? false);
  if (tweepyNote) {
    notes.push(tweepyNote);
    log(`bench: ${tweepyNote}`);
  }
  const usable = (c: Contender) =>
    (onlyContenders === undefined || onlyContenders.includes(c.id)) &&
    !(tweepyNote && c.id.startsWith('tweepy'));
  // Our CLI with its defaults (durable batches of 25: four fsyncs per page) and with its best
  // settings for a drain (one batch per page: one fsync per page), as the libraries run at page 100.
  const variants = (flags['cli-variant'] ?? []).map(cliVariant);
  const best = [CLI, ...variants, BARE, BARE_HTTP, TAV2, TWEEPY].filter(
    (c) => variants.includes(c) || usable(c),
  );
  const defaults =
    flags['no-defaults'] || quick ? [] : [BARE_DEFAULT, TAV2_DEFAULT, TWEEPY_DEFAULT].filter(usable);
  const cliBuild = cliBuildInfo();
  const cleanup = await prepareSnapshot();
  try {
    await runScenarios(best, defaults, usable(CLI), cliBuild);
  } finally {
    cleanup();
  }
}

async function runScenarios(
  best: Contender[],
  defaults: Contender[],
  withCli: boolean,
  cliBuild: string,
): Promise<void> {
  const startedAt = new Date();
  const command = `npm run bench${
    process.argv.length > 2
      ? ` -- ${process.argv
          .slice(2)
          .map((a) => (/\s/.test(a) ? `"${a}"` : a))
          .join(' ')}`
      : ''
  }`;
  const loadBefore = load1();
  const series: SeriesOptions = { reps, warmup, warmupPosts, timeoutMs, log };
  const noBareHttp = best.filter((c) => c.id !== 'bare-http');
  const results: {
    -readonly [K in keyof BenchResults]: BenchResults[K];
  } = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    command,
    machine: machineInfo(pythonVersion()),
    loadBefore,
    loadAfter: '',
    reps,
    warmup,
    cliBuild,
    notes,
  };
  log(
    `bench: ${command}; scenarios ${scenarioList.join(', ')}; ${reps} rep(s)${warmup ? ' + warm-up' : ''}; load ${loadBefore}`,
  );

  if (want('drain') && best.length + defaults.length > 0) {
    log(`bench: drain of ${drainPosts} posts`);
    const main = best.length > 0 ? await drainScenario(best, drainPosts, series) : undefined;
    const lib =
      defaults.length > 0
        ? await drainScenario(defaults, drainPosts, { ...series, reps: defaultsReps, warmup: false })
        : undefined;
    results.drain = {
      posts: drainPosts,
      summaries: [...(main?.summaries ?? []), ...(lib?.summaries ?? [])],
      reps: `${reps} (page 100)${lib ? `, ${defaultsReps} (page 10)` : ''}`,
    };
  }
  if (want('budget') && noBareHttp.length > 0) {
    log(`bench: budget, ${budgetPosts} posts at ${budgetLimit} requests / ${budgetWindow} s`);
    results.budget = await budgetScenario(noBareHttp, budgetPosts, budgetLimit, budgetWindow, 0, {
      ...series,
      reps: budgetReps,
      warmup: false,
    });
  }
  if (want('faults') && noBareHttp.length > 0) {
    const kinds: FaultKind[] = ['503', 'reset'];
    log(`bench: faults, drain of ${drainPosts} posts with ${faultRate * 100}% ${kinds.join('/')}`);
    results.faults = await faultsScenario(noBareHttp, drainPosts, faultRate, kinds, 7, {
      ...series,
      reps: faultReps,
      // The drain already warmed the machine; crashes need no warm-up.
      warmup: false,
      skipAfterFailure: true,
    });
  }
  if (want('scale') && withCli) {
    log(`bench: scale, CLI at ${scaleSizes.join(', ')} posts`);
    results.scale = await scaleScenario(CLI, scaleSizes, { ...series, reps: scaleReps, warmup: false });
  }
  if (want('cold')) {
    log(`bench: cold start, ${coldRuns} fresh processes per variant`);
    results.coldStart = await measureColdStart(coldRuns, log, lambdaVariants);
  }
  results.finishedAt = new Date().toISOString();
  results.loadAfter = load1();

  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const svgName = results.scale ? `${stamp}-scale.svg` : undefined;
  const markdown = renderMarkdown(results, svgName);
  process.stdout.write(markdown);
  if (!flags['no-write']) {
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${stamp}.md`), markdown);
    writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(results, jsonReplacer, 2)}\n`);
    if (results.scale && svgName) writeFileSync(join(dir, svgName), scaleSvg(results.scale));
    log(`bench: wrote bench/results/${stamp}.md${svgName ? ` and ${svgName}` : ''}`);
    if (!quick && !flags['no-readme'] && scenarioList.length === ALL_SCENARIOS.length)
      updateReadme(markdown.replace(`](${svgName})`, `](results/${svgName})`));
  }
  const missed = checkTargets(results).filter((t) => t.met === false);
  if (missed.length > 0)
    log(`bench: ${missed.length} target(s) missed: ${missed.map((t) => t.target).join('; ')}`);
}

function jsonReplacer(key: string, value: unknown): unknown {
  // Contender objects carry functions; keep their id and label only.
  if (key === 'contender' && typeof value === 'object' && value !== null) {
    const c = value as Contender;
    return { id: c.id, label: c.label };
  }
  return value;
}

const START = '<!-- latest-results:start -->';
const END = '<!-- latest-results:end -->';

/** Replaces the latest-results block of bench/README.md. */
function updateReadme(markdown: string): void {
  const path = join(ROOT, 'bench/README.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  writeFileSync(path, `${text.slice(0, a + START.length)}\n${markdown}${text.slice(b)}`);
  log('bench: updated bench/README.md');
}

await main();
