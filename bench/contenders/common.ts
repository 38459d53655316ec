import { once } from 'node:events';
import { closeSync, createWriteStream, fsyncSync, openSync } from 'node:fs';
import { DEFAULT_TWEET_FIELDS } from '../../src/core/stream.js';

/** What every contender is given, on its command line as one JSON argument. */
export interface ContenderArgs {
  /** Emulator base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly query: string;
  /** JSONL output file: one post per line, the post plus `_author` joined from `includes.users`. */
  readonly out: string;
  /** Page size to ask for; `undefined` = the library default (10). */
  readonly maxResults?: number;
  readonly token: string;
}

/** The same fields our CLI asks for, so every contender moves and writes the same bytes. */
export const TWEET_FIELDS = DEFAULT_TWEET_FIELDS;

/** Parses the contender's JSON argument. */
export function readArgs(): ContenderArgs {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: <contender> <json args>');
  return JSON.parse(raw) as ContenderArgs;
}

/** One page of recent search as the bare loops read it. */
export interface Page {
  data?: Record<string, unknown>[];
  includes?: { users?: { id: string }[] };
  meta?: { next_token?: string };
}

/**
 * The bare loop, whatever fetches its pages: follow next_token, write each post with its `_author`.
 * `fetchPage(url, token)` retries what it retries; the loop itself does nothing else.
 */
export async function runBareLoop(fetchPage: (url: string, token: string) => Promise<Page>): Promise<void> {
  const args = readArgs();
  const out = createWriteStream(args.out);
  const base = new URL('/2/tweets/search/recent', args.url);
  base.searchParams.set('query', args.query);
  if (args.maxResults !== undefined) base.searchParams.set('max_results', String(args.maxResults));
  base.searchParams.set('tweet.fields', TWEET_FIELDS.join(','));
  base.searchParams.set('expansions', 'author_id');
  let token: string | undefined;
  let posts = 0;
  for (let pages = 0; pages < 10_000_000; pages++) {
    const url = new URL(base);
    if (token !== undefined) url.searchParams.set('next_token', token);
    const page = await fetchPage(url.href, args.token);
    const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
    let chunk = '';
    for (const post of page.data ?? []) {
      chunk += `${JSON.stringify({ ...post, _author: users.get(post.author_id as string) })}\n`;
      posts++;
    }
    if (chunk !== '' && !out.write(chunk)) await once(out, 'drain');
    token = page.meta?.next_token;
    if (token === undefined) break;
  }
  out.end();
  await once(out, 'finish');
  reportDone(posts, fsyncFile(args.out));
}

/**
 * fsyncs a finished output file and returns how long it took (ms). Every contender ends with its
 * output on disk, as the CLI's is (it fsyncs each page before its checkpoint moves): "written" means
 * the same thing for everyone. The harness reports this time on its own too.
 */
export function fsyncFile(path: string): number {
  const started = performance.now();
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return performance.now() - started;
}

/** The contender's last stdout line: posts written and the final fsync's duration. */
export function reportDone(posts: number, fsyncMs: number): void {
  process.stdout.write(`${JSON.stringify({ posts, fsync_ms: fsyncMs })}\n`);
}

/** Runs a contender's main; a failure is one stderr line the harness can quote, and exit 1. */
export async function runContender(prefix: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    // What a user of this loop or library would see.
    const e = error as { name?: string; message?: string; code?: unknown };
    process.stderr.write(
      `${prefix} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}${e.code === undefined ? '' : ` (code ${String(e.code)})`}\n`,
    );
    process.exit(1);
  }
}
