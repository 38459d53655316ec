/**
 * Issue 17 part 2: the CPU the CLI spends on a page once its response is in, without the network,
 * the emulator or the disk. Fetches `--posts` posts as gzipped pages (100 posts each) from an emulator
 * process once, then replays those bodies through the drain path's steps in this process, each step
 * timed on its own with the process CPU time (user + system), repetitions alternated:
 *
 * gunzip -> UTF-8 text -> JSON.parse -> validatePage -> splitIntoBatches (25) -> formatBatchLines
 * -> Buffer (what the JSONL sink holds until its group commit)
 *
 *   node --max-semi-space-size=4 --import tsx bench/drain-path.ts [--posts 10000] [--reps 7]
 *
 * Prints the median CPU per 1,000 pages of each step and of the whole path. Used to screen changes to
 * those steps before the end-to-end A/B drain (bench/README.md, "Drain profile").
 */
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { formatBatchLines } from '../src/adapters/sinks/jsonl-lines.js';
import { splitIntoBatches } from '../src/core/batching.js';
import { validatePage } from '../src/core/page-validation.js';
import type { Batch } from '../src/core/ports/sink.js';
import type { TweetPage } from '../src/core/ports/x-api.js';
import { TWEET_FIELDS } from './contenders/common.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { BENCH_QUERY } from './lib/trial.js';

function fetchRaw(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { authorization: 'Bearer bench', 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The gzipped bodies of every page of a `posts`-post corpus (100 posts a page), newest first. */
export async function collectPages(posts: number): Promise<Buffer[]> {
  const emulator = await startEmulatorProcess({
    posts,
    query: BENCH_QUERY,
    limit: 1_000_000_000,
    windowSeconds: 900,
    groundTruthFile: join(tmpdir(), `tp-drain-path-${process.pid}.txt`),
  });
  try {
    const pages: Buffer[] = [];
    let token: string | undefined;
    for (let i = 0; i < 100_000; i++) {
      const url = new URL('/2/tweets/search/recent', emulator.url);
      url.searchParams.set('query', BENCH_QUERY);
      url.searchParams.set('max_results', '100');
      url.searchParams.set('tweet.fields', TWEET_FIELDS.join(','));
      url.searchParams.set('expansions', 'author_id');
      if (token !== undefined) url.searchParams.set('next_token', token);
      const raw = await fetchRaw(url.href);
      pages.push(raw);
      token = (JSON.parse(gunzipSync(raw).toString('utf8')) as TweetPage).meta.next_token;
      if (token === undefined) break;
    }
    return pages;
  } finally {
    await emulator.stop();
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const STEPS = ['gunzip+text', 'JSON.parse', 'validatePage', 'splitIntoBatches', 'formatBatchLines', 'Buffer'];

/** One pass over every page; CPU ms per step. */
function pass(pages: readonly Buffer[]): number[] {
  const spent = STEPS.map(() => 0);
  let held: Buffer[] = [];
  let sink = 0;
  for (const raw of pages) {
    let t = cpuMs();
    const lap = (step: number): void => {
      const now = cpuMs();
      spent[step] = (spent[step] ?? 0) + now - t;
      t = now;
    };
    const text = gunzipSync(raw).toString('utf8');
    lap(0);
    const body: unknown = JSON.parse(text);
    lap(1);
    const page = validatePage(body, 'search_recent', { sinceId: '0', untilId: undefined });
    lap(2);
    const batches: Batch[] = splitIntoBatches(page.data ?? [], page.includes, {
      stream: 's',
      correlationId: 'c',
      batchSize: 25,
    });
    lap(3);
    const lines = batches.map(formatBatchLines);
    lap(4);
    for (const l of lines) held.push(Buffer.from(l, 'utf8'));
    if (held.length >= 40) {
      sink += Buffer.concat(held).length; // a group commit of 10 pages
      held = [];
    }
    lap(5);
  }
  if (sink < 0) throw new Error('unreachable');
  return spent;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { posts: { type: 'string' }, reps: { type: 'string' } } });
  const posts = Number(values.posts ?? 10_000);
  const reps = Number(values.reps ?? 7);
  const pages = await collectPages(posts);
  pass(pages); // warm-up: compiled code, as in a long drain
  const runs: number[][] = [];
  for (let r = 0; r < reps; r++) runs.push(pass(pages));
  const per1000 = 1000 / pages.length;
  process.stdout.write(
    `drain path, ${pages.length} pages of ${posts} posts, ${reps} reps, median CPU ms per 1,000 pages\n\n| step | CPU ms |\n|---|---:|\n`,
  );
  STEPS.forEach((step, i) => {
    process.stdout.write(`| ${step} | ${(median(runs.map((r) => r[i] ?? 0)) * per1000).toFixed(0)} |\n`);
  });
  const totals = runs.map((r) => r.reduce((a, b) => a + b, 0));
  process.stdout.write(`| whole path | ${(median(totals) * per1000).toFixed(0)} |\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
