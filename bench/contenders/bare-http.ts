/**
 * A second limit: the bare loop on node:http with a keep-alive agent instead of global fetch
 * (undici's fetch costs more CPU per response than http.request). Same work: fetch a page (gzip),
 * parse it, write its posts, follow next_token; same retries as bare-loop.ts; no checkpoint.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readArgs, TWEET_FIELDS } from './common.js';

interface Page {
  data?: Record<string, unknown>[];
  includes?: { users?: { id: string }[] };
  meta?: { next_token?: string };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const MAX_ATTEMPTS = 30;

function get(url: string, token: string): Promise<{ status: number; body: Buffer; reset: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const raw = Buffer.concat(chunks);
            const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
            resolve({
              status: res.statusCode ?? 0,
              body,
              reset: Number(res.headers['x-rate-limit-reset'] ?? 0),
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
  });
}

async function fetchPage(url: string, token: string): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await get(url, token);
      if (res.status === 200) return JSON.parse(res.body.toString('utf8')) as Page;
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, Math.max(50, res.reset * 1000 - Date.now() + 50)));
      } else if (res.status < 500 || attempt >= MAX_ATTEMPTS) {
        throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
      }
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || (error instanceof Error && error.message.startsWith('HTTP ')))
        throw error;
    }
  }
}

const PREFIX = 'bare http loop';

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
  agent.destroy();
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
