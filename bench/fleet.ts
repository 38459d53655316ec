/**
 * The `fleet` scenario: N `poll` processes (dist/cli.js), one stream each, on one SQLite file,
 * against one app limit (default 30 requests per 5 s), every process with its own token of the
 * same app. Measures 429s, posts lost and the wall time against the rate-limit minimum.
 *
 *   npm run build && node --import tsx bench/fleet.ts [--processes 2,6,16] [--requests 240]
 *     [--limit 30] [--window 5] [--reps 1] [--rate-budget shared|local] [--out bench/results]
 *
 * Each stream needs `ceil(requests / N)` pages of 100 posts, so every point makes about the same
 * number of requests R. Minimum: W = ceil(R / limit) windows; windows start at the first request,
 * so the fastest finish is (W - 1) x window (the last window's requests take no time), and the
 * issue's looser figure is R / limit x window. Results go to `<out>/<timestamp>-fleet.{json,md}`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const DAY_MS = 86_400_000;

const { values: flags } = parseArgs({
  options: {
    processes: { type: 'string', default: '2,6,16' },
    requests: { type: 'string', default: '240' },
    limit: { type: 'string', default: '30' },
    window: { type: 'string', default: '5' },
    reps: { type: 'string', default: '1' },
    'rate-budget': { type: 'string', default: 'shared' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
  },
});

interface Point {
  readonly processes: number;
  readonly rep: number;
  readonly requests: number;
  readonly status429: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly wallSeconds: number;
  readonly minSeconds: number;
  readonly looseMinSeconds: number;
  readonly exitCodes: readonly (number | null)[];
  /** Where the wall time went, from the emulator's request log (see `breakdown`). */
  readonly breakdown: Breakdown;
}

/**
 * The wall time cut into: start-up (the run's start to the first request), the windows (each from
 * its first request, the emulator's window start, to its end), the gaps between a window's end and
 * the next window's first request (reset rounding, margins, the probe), the last window up to its
 * last request, and the tail (last request to the last process's exit). The minimum is (W - 1)
 * full windows: everything else is overhead.
 */
interface Breakdown {
  readonly startupSeconds: number;
  readonly windows: number;
  readonly gapSeconds: number;
  readonly gapsSeconds: readonly number[];
  readonly lastWindowSeconds: number;
  readonly tailSeconds: number;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

function breakdown(times: readonly number[], t0: number, t1: number, windowMs: number): Breakdown {
  const sorted = [...times].sort((a, b) => a - b);
  const starts: number[] = [];
  for (const at of sorted) {
    const last = starts.at(-1);
    if (last === undefined || at >= last + windowMs) starts.push(at);
  }
  const gaps = starts.slice(1).map((start, i) => start - (starts[i]! + windowMs));
  const first = sorted[0] ?? t0;
  const lastAt = sorted.at(-1) ?? t1;
  return {
    startupSeconds: seconds(first - t0),
    windows: starts.length,
    gapSeconds: seconds(gaps.reduce((a, g) => a + g, 0)),
    gapsSeconds: gaps.map(seconds),
    lastWindowSeconds: seconds(lastAt - (starts.at(-1) ?? lastAt)),
    tailSeconds: seconds(t1 - lastAt),
  };
}

function ids(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { id: string }).id);
  } catch {
    return [];
  }
}

async function runPoint(processes: number, rep: number): Promise<Point> {
  const limit = Number(flags.limit);
  const windowSeconds = Number(flags.window);
  const pagesPerStream = Math.ceil(Number(flags.requests) / processes);
  const tokens = Array.from({ length: processes }, (_, i) => `fleet-bench-${i}`);
  const emu = await startEmulator({
    seed: rep + 1,
    posts: 0,
    users: processes,
    searchDelayMs: 0,
    lateArrivalFraction: 0,
    requestLogLimit: 100_000,
    rateLimits: { search_recent: 1_000_000_000 },
    apps: { fleet: tokens },
  });
  const users = emu.users();
  // pagesPerStream full pages but the last, spread over the last 6 days.
  const perStream = pagesPerStream * 100 - 50;
  const start = Date.now() - 6 * DAY_MS;
  const step = (6 * DAY_MS - 3_600_000) / perStream;
  for (let i = 0; i < perStream; i++) {
    emu.setClock(Math.floor(start + i * step));
    emu.publish({ posts: users.map((u) => ({ text: `fleet post ${i}`, author: u.username })) });
  }
  emu.setClock(Date.now());
  emu.setLimits({ rateLimits: { search_recent: limit }, windowSeconds });
  const truth = users.map((u) => emu.groundTruth({ endpoint: 'search_recent', query: `from:${u.username}` }));
  const dir = mkdtempSync(join(tmpdir(), 'tp-fleet-bench-'));
  const t0 = performance.now();
  const emuT0 = emu.now();
  const exits = await Promise.all(
    users.map(
      (u, i) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            [
              CLI,
              'poll',
              '--query',
              `from:${u.username}`,
              '--stream',
              `s${i}`,
              '--initial',
              '7d',
              '--store',
              `sqlite:${join(dir, 'state.db')}`,
              '--sink',
              `jsonl:${join(dir, `s${i}.jsonl`)}`,
              '--min-interval',
              '0',
              '--max-tweets',
              '10000000',
              '--time-budget',
              '600',
              '--log-level',
              'warn',
              '--rate-budget',
              flags['rate-budget'],
            ],
            {
              env: { PATH: process.env.PATH ?? '', X_BEARER_TOKEN: tokens[i]!, X_API_BASE_URL: emu.url },
              stdio: ['ignore', 'ignore', 'ignore'],
            },
          );
          child.on('close', (code) => resolve(code));
        }),
    ),
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  const emuT1 = emu.now();
  let lost = 0;
  let duplicates = 0;
  users.forEach((_, i) => {
    const got = ids(join(dir, `s${i}.jsonl`));
    const set = new Set(got);
    duplicates += got.length - set.size;
    lost += truth[i]!.filter((id) => !set.has(id)).length;
  });
  if (process.env.FLEET_LOG)
    writeFileSync(
      process.env.FLEET_LOG,
      emu
        .requestLog()
        .map((e) => `${e.at} ${e.status}`)
        .join('\n'),
    );
  const requests = emu.requestLog().length;
  const status429 = emu.statusCounts()[429] ?? 0;
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
  const okRequests = requests - status429;
  const windows = Math.ceil(okRequests / limit);
  return {
    processes,
    rep,
    requests,
    status429,
    lost,
    duplicates,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    minSeconds: (windows - 1) * windowSeconds,
    looseMinSeconds: Math.round((okRequests / limit) * windowSeconds * 100) / 100,
    exitCodes: exits,
    breakdown: breakdown(
      emu
        .requestLog()
        .filter((e) => e.status !== 429)
        .map((e) => Date.parse(e.at)),
      emuT0,
      emuT1,
      windowSeconds * 1000,
    ),
  };
}

async function main(): Promise<void> {
  const points: Point[] = [];
  for (const n of flags.processes.split(',').map(Number)) {
    for (let rep = 0; rep < Number(flags.reps); rep++) {
      const p = await runPoint(n, rep);
      points.push(p);
      process.stderr.write(`fleet: ${JSON.stringify(p)}\n`);
    }
  }
  const stamp = new Date().toISOString().replace(/\..*$/, 'Z').replaceAll(':', '-');
  mkdirSync(flags.out, { recursive: true });
  const meta = {
    scenario: 'fleet',
    command: `node --import tsx bench/fleet.ts ${process.argv.slice(2).join(' ')}`.trim(),
    limit: Number(flags.limit),
    windowSeconds: Number(flags.window),
    rateBudget: flags['rate-budget'],
    at: new Date().toISOString(),
  };
  writeFileSync(join(flags.out, `${stamp}-fleet.json`), `${JSON.stringify({ ...meta, points }, null, 2)}\n`);
  const rows = points.map(
    (p) =>
      `| ${p.processes} | ${p.requests} | ${p.status429} | ${p.lost} | ${p.wallSeconds} | ${p.minSeconds} | ${(p.wallSeconds / p.minSeconds).toFixed(2)} | ${p.looseMinSeconds} | ${(p.wallSeconds / p.looseMinSeconds).toFixed(2)} |`,
  );
  const parts = points.map(
    (p) =>
      `| ${p.processes} | ${p.breakdown.startupSeconds} | ${p.breakdown.windows} | ${p.breakdown.gapSeconds} (${p.breakdown.gapsSeconds.join(', ')}) | ${p.breakdown.lastWindowSeconds} | ${p.breakdown.tailSeconds} |`,
  );
  const md = [
    `# fleet: ${meta.at}`,
    '',
    `\`${meta.command}\` — ${meta.limit} requests per ${meta.windowSeconds} s window, rate budget ${meta.rateBudget}`,
    '',
    '| processes | requests | 429s | lost | wall s | min s ((W-1) windows) | x min | R/limit windows s | x that |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Where the time went (emulator request log): start-up to the first request, windows, idle gaps between a',
    "window's end and the next window's first request, the last window to its last request, the tail to the last exit.",
    '',
    '| processes | start-up s | windows | gaps s (each) | last window s | tail s |',
    '|---|---|---|---|---|---|',
    ...parts,
    '',
  ].join('\n');
  writeFileSync(join(flags.out, `${stamp}-fleet.md`), md);
  process.stdout.write(md);
}

void main();
