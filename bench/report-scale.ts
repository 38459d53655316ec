/**
 * The report at scale: 1,000 runs x 100 streams in a real SQLite run history, then
 * `twitter-poller report` (in process: read the store, build, write) timed, the file's size, and the
 * time Debian's Chromium takes to load it (navigation start to the load event, and the wall time of
 * `page.goto`). Targets (issue 16): generated < 2 s, < 2 MB, loaded < 1 s.
 *
 *   npm run build && node --import tsx bench/report-scale.ts [--runs 1000] [--streams 100] [--reps 3]
 *
 * Writes bench/results/report-scale.json and prints a markdown table.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { SqliteRunHistory } from '../src/adapters/stores/run-history-sqlite.js';
import type { RunRecord, StreamRunRecord } from '../src/core/ports/run-history.js';
import { runReport } from '../src/entrypoints/report-command.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '100' },
    reps: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const STREAMS = Number(values.streams);
const REPS = Number(values.reps);

/** A deterministic PRNG (mulberry32) so every bench run sees the same history. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function history(nowMs: number): RunRecord[] {
  const rnd = prng(16);
  const runs: RunRecord[] = [];
  const every = Math.floor((30 * 86_400_000) / RUNS); // 1,000 runs over the last 30 days
  for (let i = 0; i < RUNS; i++) {
    const streams: StreamRunRecord[] = [];
    for (let s = 0; s < STREAMS; s++) {
      const posts = Math.floor(rnd() * 400);
      const outcome = rnd() < 0.05 ? 'budget_exhausted' : rnd() < 0.01 ? 'failed' : 'caught_up';
      streams.push({
        stream: `search:stream-${String(s).padStart(3, '0')} lang:en -is:retweet`,
        outcome,
        posts,
        requests: 1 + Math.floor(posts / 100),
        rate_limited: rnd() < 0.02 ? 1 : 0,
        waits: rnd() < 0.05 ? 1 : 0,
        gaps: rnd() < 0.002 ? 1 : 0,
        gap_seconds: rnd() < 0.002 ? Math.floor(rnd() * 86_400) : 0,
        freshness_lag_seconds: posts > 0 ? Math.round(rnd() * 3_600 * 10) / 10 : null,
        owed_age_seconds: outcome === 'caught_up' ? null : Math.round(rnd() * 7_200),
        posts_billed: posts,
        spend_usd: posts * 0.005,
        duration_ms: Math.floor(rnd() * 20_000),
        ...(outcome === 'failed' ? { error: 'HTTP 503 from search_recent after 5 attempts' } : {}),
      });
    }
    runs.push({
      correlation_id: `bench-${i}`,
      started_at: new Date(nowMs - 30 * 86_400_000 + i * every).toISOString(),
      duration_ms: 60_000,
      caught_up: streams.every((s) => s.outcome === 'caught_up'),
      max_spend_usd_per_day: 150,
      streams,
    });
  }
  return runs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-report-bench-'));
  const path = join(dir, 'state.db');
  const nowMs = Date.now();
  const store = new SqliteRunHistory({ path });
  for (const run of history(nowMs)) await store.record(run);
  await store.close();
  const out = join(dir, 'report.html');
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const generate: number[] = [];
  const generateCpu: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runReport(
      { command: 'report', store: { kind: 'sqlite', path }, sinceMs: 31 * 86_400_000, out },
      sink,
      nowMs,
    );
    generate.push(performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    generateCpu.push((cpu.user + cpu.system) / 1000);
  }
  const bytes = (await stat(out)).size;
  const profile = await mkdtemp(join(tmpdir(), 'tp-report-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const loadEvent: number[] = [];
  const gotoWall: number[] = [];
  try {
    for (let i = 0; i < REPS; i++) {
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
      gotoWall.push(performance.now() - t0);
      loadEvent.push(
        await page.evaluate(() => {
          // Runs in the page: the Navigation Timing entry (typed loosely, the project has no DOM types).
          const nav = performance.getEntriesByType('navigation' as 'mark')[0] as unknown as {
            loadEventEnd: number;
            startTime: number;
          };
          return nav.loadEventEnd - nav.startTime;
        }),
      );
      await page.close();
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  const result = {
    date: new Date(nowMs).toISOString(),
    runs: RUNS,
    streams: STREAMS,
    reps: REPS,
    generate_ms: generate.map(Math.round),
    generate_ms_median: Math.round(median(generate)),
    // CPU time (user+sys) of the same calls: what the wall time is on an idle core.
    generate_cpu_ms: generateCpu.map(Math.round),
    generate_cpu_ms_median: Math.round(median(generateCpu)),
    load_average_1m: loadavg()[0] ?? 0,
    cpus: cpus().length,
    bytes,
    load_event_ms: loadEvent.map(Math.round),
    load_event_ms_median: Math.round(median(loadEvent)),
    goto_wall_ms: gotoWall.map(Math.round),
    goto_wall_ms_median: Math.round(median(gotoWall)),
    targets: {
      generated_under_2s: median(generate) < 2000,
      under_2mb: bytes < 2 * 1024 * 1024,
      loaded_under_1s: median(gotoWall) < 1000,
    },
  };
  await writeFile(
    new URL('./results/report-scale.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  if (values.keep) process.stdout.write(`kept ${dir}\n`);
  else await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    `| runs x streams | generated, wall (median of ${REPS}) | generated, CPU | size | load event (median) | page.goto wall (median) | load average |\n|---|---|---|---|---|---|---|\n` +
      `| ${RUNS} x ${STREAMS} | ${result.generate_ms_median} ms | ${result.generate_cpu_ms_median} ms | ${(bytes / 1024 / 1024).toFixed(2)} MB | ${result.load_event_ms_median} ms | ${result.goto_wall_ms_median} ms | ${result.load_average_1m.toFixed(1)} on ${result.cpus} cores |\n` +
      `targets: ${JSON.stringify(result.targets)}\n`,
  );
}

await main();
