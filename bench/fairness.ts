/**
 * The fairness scenario: many streams in one run (issue 10). For 8 and for 100 streams of skewed
 * volumes (Zipf-like: the first stream has most of the posts) and mixed weights (every fourth stream
 * weight 2), against an emulator in its own process, with the built CLI (`dist/cli.js`):
 *
 * - fairness runs: three runs with a shared max_tweets; per run, each stream's delivered and share
 *   (from `execution_end`), Jain's index of delivered / weight over the streams the budget cut
 *   (weight-normalized, goal >= 0.95) and of delivered / the max-min fair share over every stream that
 *   wanted posts;
 * - throughput: the same posts drained by the N streams in one run vs by one stream whose query
 *   (`post`) matches them all (goal >= 95 %), median of `--reps` alternating repetitions, and the
 *   median of the repetitions' paired ratios (a drift of the machine's speed cancels out);
 *
 * Usage: `npm run build && node --import tsx bench/fairness.ts [--world skewed|backlog] [--streams 8,100]
 * [--reps 3] [--concurrency N] [--compare 1,4]` (`--concurrency` is passed to every poll; without it the CLI's default applies;
 * `--compare` drains the N streams at each of these concurrencies, rotated with the one stream).
 * Writes bench/results/<time>-fairness.{md,json} and prints the markdown.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jainIndex, waterFill } from '../src/core/fair-share.js';
import { ONE_QUERY, plan, type StreamPlan, startWorld } from './lib/fairness-world.js';
import { machineInfo } from './lib/machine.js';
import { fmt, median } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
/** `--concurrency N` for every poll, when the bench was given one. */
let concurrencyArgs: string[] = [];

interface EndStream {
  readonly stream: string;
  readonly outcome: string;
  readonly share: number;
  readonly delivered: number;
}

interface RunFigures {
  readonly run: number;
  readonly delivered: Record<string, number>;
  readonly share: Record<string, number>;
  readonly jainWeighted: number;
  readonly jainMaxMin: number;
  readonly cut: number;
  readonly total: number;
}

/** GNU time, when installed: the poller's CPU time (user + system), less sensitive to a busy machine. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * One CLI poll; resolves with its wall time, its CPU time and peak RSS (NaN without GNU time) and
 * `execution_end`.
 */
async function poll(
  url: string,
  dir: string,
  args: readonly string[],
): Promise<{
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  end: { tweets_delivered: number; api_requests: number; streams: EndStream[] };
}> {
  const errPath = join(dir, `stderr-${Date.now()}.log`);
  const cpuPath = join(dir, `cpu-${Date.now()}.txt`);
  const err = openSync(errPath, 'w');
  const started = performance.now();
  const node = [
    process.execPath,
    '--max-semi-space-size=4',
    CLI,
    'poll',
    ...args,
    ...concurrencyArgs,
    '--min-interval',
    '0',
    '--time-budget',
    '3600',
  ];
  const [command, ...rest] = TIME === undefined ? node : [TIME, '-f', '%U %S %M', '-o', cpuPath, ...node];
  const child = spawn(command as string, rest, {
    env: { PATH: process.env.PATH ?? '', X_API_BASE_URL: url, X_BEARER_TOKEN: 'bench' },
    stdio: ['ignore', 'ignore', err],
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const wallMs = performance.now() - started;
  const lines = readFileSync(errPath, 'utf8').trim().split('\n');
  const end = JSON.parse(lines.at(-1) ?? '{}');
  if (end.event !== 'execution_end') throw new Error(`poll exited ${code}: ${lines.slice(-3).join('\n')}`);
  const cpu = TIME === undefined ? [] : readFileSync(cpuPath, 'utf8').trim().split('\n').at(-1)?.split(' ');
  const cpuMs = cpu?.length === 3 ? (Number(cpu[0]) + Number(cpu[1])) * 1000 : Number.NaN;
  const rssMb = cpu?.length === 3 ? Number(cpu[2]) / 1024 : Number.NaN;
  return { wallMs, cpuMs, rssMb, end };
}

function configFile(dir: string, streams: readonly StreamPlan[], oneQuery: boolean): string {
  const path = join(dir, `streams-${oneQuery ? 'one' : 'many'}.json`);
  const entries = oneQuery
    ? [{ name: 'all', query: ONE_QUERY }] // every post of the world is `<word> post <i>`, and nothing else
    : streams.map((s) => ({ name: s.name, query: s.word, weight: s.weight }));
  writeFileSync(
    path,
    JSON.stringify({
      store: `sqlite:${join(dir, 'state.db')}`,
      sink: `jsonl:${join(dir, 'out.jsonl')}`,
      initial: '7d',
      streams: entries,
    }),
  );
  return path;
}

async function scenario(
  n: number,
  budget: number,
  top: number,
  floor: number,
  reps: number,
  compare: readonly number[],
) {
  const streams = plan(n, top, floor);
  const total = streams.reduce((a, s) => a + s.posts, 0);
  const base = mkdtempSync(join(tmpdir(), `tp-fair-${n}-`));
  const emu = await startWorld(streams, base);
  try {
    // Fairness: three runs sharing `budget`.
    const dir = join(base, 'fair');
    mkdirSync(dir);
    const cfg = configFile(dir, streams, false);
    const got = new Map(streams.map((s) => [s.name, 0]));
    const runs: RunFigures[] = [];
    for (let run = 1; run <= 3; run++) {
      const backlog = streams.map((s) => s.posts - (got.get(s.name) ?? 0));
      const { end } = await poll(emu.url, dir, ['--config', cfg, '--max-tweets', String(budget)]);
      const byName = new Map(end.streams.map((s) => [s.stream, s]));
      const ideal = waterFill(
        budget,
        streams.map((s, i) => ({ weight: s.weight, floor: 0, cap: backlog[i] as number })),
      );
      const cut = streams.filter((s) => byName.get(s.name)?.outcome === 'budget_exhausted');
      const wanted = streams.map((s, i) => ({ s, i })).filter(({ i }) => (backlog[i] as number) > 0);
      for (const s of streams) got.set(s.name, (got.get(s.name) ?? 0) + (byName.get(s.name)?.delivered ?? 0));
      runs.push({
        run,
        delivered: Object.fromEntries(streams.map((s) => [s.name, byName.get(s.name)?.delivered ?? 0])),
        share: Object.fromEntries(streams.map((s) => [s.name, byName.get(s.name)?.share ?? 0])),
        jainWeighted: jainIndex(cut.map((s) => (byName.get(s.name)?.delivered ?? 0) / s.weight)),
        jainMaxMin: jainIndex(
          wanted.map(({ s, i }) => (byName.get(s.name)?.delivered ?? 0) / (ideal[i] as number)),
        ),
        cut: cut.length,
        total: end.tweets_delivered,
      });
    }
    // Throughput: the whole world drained in one run, N streams vs one stream, alternating (with
    // `--compare`, N streams at each concurrency given, all rotated with the one stream).
    const variants =
      compare.length > 0
        ? compare.map((c) => ({ key: `c=${c}`, args: ['--concurrency', String(c)], oneQuery: false }))
        : [{ key: 'many', args: [] as string[], oneQuery: false }];
    const contenders = [...variants, { key: 'one', args: [] as string[], oneQuery: true }];
    const perS = new Map(contenders.map((c) => [c.key, [] as number[]]));
    const cpuMs = new Map(contenders.map((c) => [c.key, [] as number[]]));
    const rssMb = new Map(contenders.map((c) => [c.key, [] as number[]]));
    const requests = new Map(contenders.map((c) => [c.key, 0]));
    for (let rep = 0; rep < reps; rep++) {
      const k = rep % contenders.length;
      for (const c of [...contenders.slice(k), ...contenders.slice(0, k)]) {
        const d = join(base, `drain-${rep}-${c.key}`);
        mkdirSync(d);
        const figures = await poll(emu.url, d, [
          '--config',
          configFile(d, streams, c.oneQuery),
          '--max-tweets',
          '10000000',
          ...c.args,
        ]);
        if (figures.end.tweets_delivered !== total)
          throw new Error(`drain delivered ${figures.end.tweets_delivered} of ${total}`);
        perS.get(c.key)?.push(total / (figures.wallMs / 1000));
        cpuMs.get(c.key)?.push(figures.cpuMs);
        rssMb.get(c.key)?.push(figures.rssMb);
        requests.set(c.key, figures.end.api_requests);
      }
    }
    const first = (variants[0] as { key: string }).key;
    const many = perS.get(first) ?? [];
    const one = perS.get('one') ?? [];
    const manyCpu = cpuMs.get(first) ?? [];
    const oneCpu = cpuMs.get('one') ?? [];
    const compared = variants.map((v) => ({
      key: v.key,
      perS: perS.get(v.key) ?? [],
      cpuMs: cpuMs.get(v.key) ?? [],
    }));
    // The fewest requests any poller making one query per stream needs (100 posts a page): every
    // stream ends on a page of its own, against one query's ceil(total / 100).
    const fewest = streams.reduce((a, s) => a + Math.ceil(s.posts / 100), 0);
    return {
      n,
      budget,
      floor,
      total,
      streams,
      runs,
      manyPerS: median(many),
      onePerS: median(one),
      // Each repetition's N-stream drain against its own one-stream drain (run next to each other):
      // a drift of the machine's speed between repetitions cancels out.
      paired: median(many.map((m, i) => m / (one[i] as number))),
      many,
      one,
      manyCpuMs: median(manyCpu),
      oneCpuMs: median(oneCpu),
      manyRssMb: median(rssMb.get(first) ?? []),
      oneRssMb: median(rssMb.get('one') ?? []),
      manyRequests: requests.get(first) ?? 0,
      oneRequests: requests.get('one') ?? 0,
      fewest,
      compared,
    };
  } finally {
    await emu.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

/** The commit the CLI was built from, marked when the work tree differs from it. */
function build(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src').length > 0 ? ' + uncommitted src/ changes' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: '8,100' },
      reps: { type: 'string', default: '3' },
      concurrency: { type: 'string' },
      compare: { type: 'string' },
      world: { type: 'string', default: 'skewed' },
    },
  });
  const world = values.world ?? 'skewed';
  if (world !== 'skewed' && world !== 'backlog') throw new Error('--world: skewed or backlog');
  if (values.concurrency !== undefined) concurrencyArgs = ['--concurrency', values.concurrency];
  const compare = values.compare === undefined ? [] : values.compare.split(',').map(Number);
  const sizes = (values.streams ?? '8,100').split(',').map(Number);
  const reps = Number(values.reps ?? '3');
  const results = [];
  for (const n of sizes) {
    // 8 streams: 800 a run, the report's setting; 100 streams: 4,000 a run (40 a stream on average).
    // skewed: stream i has about top / (i + 1) posts, at least 20 (most of the 100 less than a page);
    // backlog: the same skew, every stream at least 1,050 posts (11 pages, the last one partial).
    const floor = world === 'backlog' ? 1_050 : 20;
    const top = world === 'backlog' ? 20_000 : n <= 8 ? 2_400 : 5_000;
    results.push(await scenario(n, n <= 8 ? 800 : 4_000, top, floor, reps, compare));
  }
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const md: string[] = [
    `# Fairness scenario ${stamp}`,
    '',
    `Machine: ${JSON.stringify(machineInfo('python3'))}`,
    '',
    `Build: ${build()}`,
    '',
  ];
  md.push(
    `Command: \`node --import tsx bench/fairness.ts --world ${world} --streams ${sizes.join(',')} --reps ${reps}${concurrencyArgs.length > 0 ? ` ${concurrencyArgs.join(' ')}` : ''}${compare.length > 0 ? ` --compare ${compare.join(',')}` : ''}\``,
    '',
  );
  md.push(
    `Concurrency: ${values.concurrency ?? 'the CLI default'}; load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
    '',
  );
  for (const r of results) {
    md.push(
      `## ${r.n} streams (${world}), max_tweets ${r.budget}, ${r.total} posts (stream i has ~${r.streams[0]?.posts}/(i+1), at least ${r.floor}; every 4th stream weight 2)`,
      '',
    );
    md.push(
      '| run | delivered | streams cut by the budget | Jain, delivered/weight over them | Jain, delivered/max-min share |',
    );
    md.push('|---|---|---|---|---|');
    for (const run of r.runs) {
      md.push(
        `| ${run.run} | ${run.total} | ${run.cut} | ${fmt(run.jainWeighted, 4)} | ${fmt(run.jainMaxMin, 4)} |`,
      );
    }
    md.push('', 'Per-stream delivered (share) per run:', '');
    const shown = r.streams.slice(0, 12);
    md.push(`| stream (posts, weight) | ${r.runs.map((x) => `run ${x.run}`).join(' | ')} |`);
    md.push(`|---|${r.runs.map(() => '---').join('|')}|`);
    for (const s of shown) {
      md.push(
        `| ${s.name} (${s.posts}, w${s.weight}) | ${r.runs.map((x) => `${x.delivered[s.name]} (${x.share[s.name]})`).join(' | ')} |`,
      );
    }
    if (r.streams.length > shown.length)
      md.push(`| … ${r.streams.length - shown.length} more streams | ${r.runs.map(() => '').join(' | ')} |`);
    md.push(
      '',
      `Throughput, whole world in one run (median of ${reps}): ${r.n} streams ${fmt(r.manyPerS, 0)} posts/s, one stream ${fmt(r.onePerS, 0)} posts/s: ${fmt((100 * r.manyPerS) / r.onePerS, 1)} %; ` +
        `median of the ${reps} paired ratios (each repetition's ${r.n} streams against its one stream): ${fmt(100 * r.paired, 1)} %`,
    );
    md.push(
      `(runs: many ${r.many.map((x) => fmt(x, 0)).join(', ')}; one ${r.one.map((x) => fmt(x, 0)).join(', ')})`,
      '',
      `Requests: ${r.n} streams ${r.manyRequests} (the fewest one query per stream can take: ${r.fewest}), one stream ${r.oneRequests}. ` +
        `Posts per request caps the ratio at ${fmt((100 * r.oneRequests) / r.manyRequests, 1)} % when requests are what limits a run (a rate limit, a distant API); ` +
        `requests per second, ${r.n} streams against one: ${fmt((100 * (r.manyPerS / r.total) * r.manyRequests) / ((r.onePerS / r.total) * r.oneRequests), 1)} %.`,
      '',
      `Peak RSS (median): ${r.n} streams ${fmt(r.manyRssMb, 0)} MB, one stream ${fmt(r.oneRssMb, 0)} MB.`,
      '',
    );
    if (r.compared.length > 1) {
      md.push(
        '| N streams at | posts/s (median) | vs one stream | runs | poller CPU s (median) |',
        '|---|---:|---:|---|---:|',
      );
      for (const c of r.compared) {
        md.push(
          `| ${c.key} | ${fmt(median(c.perS), 0)} | ${fmt((100 * median(c.perS)) / r.onePerS, 1)} % | ${c.perS.map((x) => fmt(x, 0)).join(', ')} | ${fmt(median(c.cpuMs) / 1000, 2)} |`,
        );
      }
      md.push('');
    }
    md.push(
      `Poller CPU time (user + system, median): ${r.n} streams ${fmt(r.manyCpuMs / 1000, 2)} s, one stream ${fmt(r.oneCpuMs / 1000, 2)} s: one stream's CPU is ${fmt((100 * r.oneCpuMs) / r.manyCpuMs, 1)} % of the ${r.n} streams'`,
      '',
    );
  }
  const text = md.join('\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, `bench/results/${stamp}-fairness.md`), `${text}\n`);
  writeFileSync(join(ROOT, `bench/results/${stamp}-fairness.json`), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${text}\n`);
}

await main();
