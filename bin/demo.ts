/**
 * `twitter-poller demo`: the poller end to end against the bundled emulator, no token needed.
 * Lives in bin/ because it is the one place allowed to use both src/ and emulator/.
 *
 * 1. starts the emulator on 127.0.0.1: a seeded world, live posts, random 5xx, one 429, a short window;
 * 2. polls a query into .twitter-poller/demo/posts.jsonl with a fresh SQLite store (the backlog);
 * 3. publishes more posts and polls again: only the new ones arrive (incremental resume);
 * 4. checks the file against the emulator's ground truth and prints a short summary;
 * 5. writes the HTML report of the two runs (`twitter-poller report`) and prints its path.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator } from '../emulator/index.js';
import { main as cli } from '../src/entrypoints/cli.js';

/** Settings of the demo; the emulator's knobs are chosen so that every behaviour shows in seconds. */
const DEMO = {
  dir: '.twitter-poller/demo',
  query: 'coffee OR music',
  seed: 20_260_801,
  posts: 30_000,
  lookback: '2d',
  publishRate: 4,
  newPosts: 12,
  token: 'demo-token-not-a-secret',
} as const;

interface RunReport {
  readonly exitCode: number;
  readonly end: Record<string, unknown>;
  readonly retries: number;
  readonly events: Record<string, unknown>[];
}

async function poll(
  args: readonly string[],
  env: Record<string, string>,
  logPath: string,
): Promise<RunReport> {
  const stderr = new PassThrough();
  let text = '';
  stderr.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const exitCode = await cli(['poll', ...args], { stderr, stdout: new PassThrough(), env });
  await writeFile(logPath, text);
  const events = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    exitCode,
    end: events.findLast((e) => e.event === 'execution_end') ?? {},
    retries: events.filter((e) => e.event === 'retry').length,
    events,
  };
}

/** Runs the demo; resolves with the exit code (0, or 2 when a token is set, 1 when a check fails). */
export async function runDemo(argv: readonly string[], env = process.env): Promise<number> {
  const say = (line = '') => process.stdout.write(`${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    say(
      'Usage: twitter-poller demo\n\nPolls the bundled X API v2 emulator twice and prints what happened. No token needed.',
    );
    return 0;
  }
  if (env.X_BEARER_TOKEN) {
    process.stderr.write(
      'twitter-poller: the demo runs against the bundled emulator and does not use X_BEARER_TOKEN.\n' +
        'To poll the real X API, run "twitter-poller poll --query <q>" (see "twitter-poller poll --help");\n' +
        'to run the demo, unset X_BEARER_TOKEN.\n',
    );
    return 2;
  }
  const dir = DEMO.dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const jsonl = join(dir, 'posts.jsonl');
  const emulator = await startEmulator({
    seed: DEMO.seed,
    posts: DEMO.posts,
    publishRate: DEMO.publishRate,
    searchDelayMs: 0,
    lateArrivalFraction: 0,
    windowSeconds: 4,
    rateLimits: { search_recent: 6 },
    faults: {
      scripted: [
        { path: '/2/tweets/search/recent', nth: 2, fault: '503' },
        { path: '/2/tweets/search/recent', nth: 4, fault: '429' },
        { path: '/2/tweets/search/recent', nth: 6, fault: 'reset' },
      ],
      rate: 0.08,
      kinds: ['500', '503', 'html-502'],
      seed: 7,
    },
  });
  try {
    const started = Date.now();
    const env = { PATH: process.env.PATH ?? '', X_BEARER_TOKEN: DEMO.token, X_API_BASE_URL: emulator.url };
    const common = [
      '--query',
      DEMO.query,
      '--store',
      `sqlite:${join(dir, 'state.db')}`,
      '--sink',
      `jsonl:${jsonl}`,
    ];
    const tuning = [
      '--min-interval',
      '100',
      '--batch-size',
      '50',
      '--max-tweets',
      '5000',
      '--time-budget',
      '45',
    ];
    say(
      `twitter-poller demo: emulator at ${emulator.url} (seeded, live posts, injected 5xx, a connection reset and a 429, 6 requests per 4 s window)`,
    );
    say(`1. first poll of "${DEMO.query}", starting ${DEMO.lookback} back ...`);
    const first = await poll(
      [...common, ...tuning, '--initial', DEMO.lookback],
      env,
      join(dir, 'poll-1.log'),
    );
    const checkpoint = first.events.findLast((e) => e.event === 'checkpoint_update');
    emulator.publish({
      posts: Array.from({ length: DEMO.newPosts }, (_, i) => ({ text: `demo ${DEMO.query} post ${i + 1}` })),
    });
    say(`2. published ${DEMO.newPosts} new "${DEMO.query}" posts (plus the live stream); polling again ...`);
    const second = await poll([...common, ...tuning], env, join(dir, 'poll-2.log'));
    const lines = (await readFile(jsonl, 'utf8')).split('\n').filter((l) => l !== '');
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    const unique = new Set(ids);
    const firstSince = firstSinceId(first.events);
    // The live stream keeps publishing after the second poll: compare up to the newest post delivered
    // (ids grow with time and the demo has no late arrivals, so nothing older can still appear).
    const newest = ids.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a), '0');
    const truth =
      firstSince === undefined
        ? []
        : emulator.groundTruth({
            endpoint: 'search_recent',
            query: DEMO.query,
            since_id: firstSince,
            until_id: (BigInt(newest) + 1n).toString(),
          });
    const missing = truth.filter((id) => !unique.has(id)).length;
    const faults = emulator.statusCounts();
    say();
    say('What happened');
    for (const [label, run] of [
      ['first poll ', first],
      ['second poll', second],
    ] as const) {
      say(
        `  ${label}  exit ${run.exitCode}  caught_up ${String(run.end.caught_up)}  posts ${String(run.end.tweets_delivered)}` +
          `  requests ${String(run.end.api_requests)}  retries ${run.retries}  rate-limit waits ${String(run.end.rate_limit_waits)}` +
          `  ${String(run.end.duration_ms)} ms`,
      );
    }
    say(
      `  emulator answered: ${Object.entries(faults)
        .map(([status, n]) => `${n}× ${status === '0' ? 'connection reset' : `HTTP ${status}`}`)
        .join(', ')}`,
    );
    const live = Number(second.end.tweets_delivered ?? 0) - DEMO.newPosts;
    say(
      `  the second poll resumed after since_id ${String(checkpoint?.since_id ?? '?')}: only new posts ` +
        `(the ${DEMO.newPosts} published${live > 0 ? ` + ${live} from the live stream` : ''})`,
    );
    say(
      `  file: ${relative(process.cwd(), jsonl) || jsonl}  ${lines.length} lines, ${unique.size} distinct posts`,
    );
    say(
      `  ground truth: ${truth.length} posts match "${DEMO.query}" up to the newest delivered; missing ${missing}, duplicated ${ids.length - unique.size}`,
    );
    say(
      `  logs: ${join(dir, 'poll-1.log')}, ${join(dir, 'poll-2.log')}   state: twitter-poller status --store sqlite:${join(dir, 'state.db')}`,
    );
    say(`  took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const reportPath = join(dir, 'report.html');
    const reportOut = new PassThrough();
    const reportErr = new PassThrough();
    let reportText = '';
    reportErr.setEncoding('utf8').on('data', (chunk: string) => {
      reportText += chunk;
    });
    const reportCode = await cli(
      ['report', '--store', `sqlite:${join(dir, 'state.db')}`, '--since', '1d', '--out', reportPath],
      { stdout: reportOut, stderr: reportErr, env },
    );
    if (reportCode === 0)
      say(`  report: ${reportPath}  (open it in a browser: charts of both runs, no network needed)`);
    else process.stderr.write(`twitter-poller: the report could not be written: ${reportText.trim()}\n`);
    const ok = first.exitCode === 0 && second.exitCode === 0 && missing === 0 && reportCode === 0;
    if (!ok) process.stderr.write('twitter-poller: the demo did not end as expected; see the logs above\n');
    return ok ? 0 : 1;
  } finally {
    await emulator.close();
  }
}

/** The since_id the first run started from (its first checkpoint write). */
function firstSinceId(events: readonly Record<string, unknown>[]): string | undefined {
  const first = events.find((e) => e.event === 'checkpoint_update' && typeof e.since_id === 'string');
  return first?.since_id as string | undefined;
}
