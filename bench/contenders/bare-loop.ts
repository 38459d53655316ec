/**
 * The physical limit: a hand-written loop with global fetch (undici, keep-alive), no checkpoint.
 * Fetch a page, parse it, write its posts, follow next_token. Retries 429 (until the reset header),
 * 5xx and network errors, so that it also survives the fault scenario; nothing else.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readArgs, TWEET_FIELDS } from './common.js';

interface Page {
  data?: Record<string, unknown>[];
  includes?: { users?: { id: string }[] };
  meta?: { next_token?: string };
}

const MAX_ATTEMPTS = 30;

async function fetchPage(url: string, token: string): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) return (await res.json()) as Page;
      const body = await res.text();
      if (res.status === 429) {
        const reset = Number(res.headers.get('x-rate-limit-reset') ?? 0) * 1000;
        await new Promise((r) => setTimeout(r, Math.max(50, reset - Date.now() + 50)));
      } else if (res.status < 500 || attempt >= MAX_ATTEMPTS) {
        throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
      }
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || (error instanceof Error && error.message.startsWith('HTTP ')))
        throw error;
      // Network error, reset, truncated or invalid JSON: retry the same page.
    }
  }
}

const PREFIX = 'bare fetch loop';

async function main(): Promise<void> {
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
  process.stdout.write(`${JSON.stringify({ posts })}\n`);
}

try {
  await main();
} catch (error) {
  // One line the harness can quote: what a user of this loop would see.
  const e = error as { name?: string; message?: string; code?: unknown };
  process.stderr.write(
    `${PREFIX} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}${e.code === undefined ? '' : ` (code ${String(e.code)})`}\n`,
  );
  process.exit(1);
}
