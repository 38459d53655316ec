/**
 * The `twitter-api-v2` npm client, paging with its paginator page by page (`paginator.next()`,
 * which does not accumulate earlier pages the way `for await` over one paginator does).
 * Pointed at the emulator by replacing the v2 client's URL prefix (`https://api.x.com/2/`) and
 * giving it node's keep-alive http agent (the library imports `https.request`, which accepts an
 * http agent for an http: URL). No retry plugin: the library as people use it.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { type TweetSearchRecentV2Paginator, TwitterApi } from 'twitter-api-v2';
import { fsyncFile, readArgs, reportDone, runContender, TWEET_FIELDS } from './common.js';

const PREFIX = 'twitter-api-v2';

async function main(): Promise<void> {
  const args = readArgs();
  const client = new TwitterApi(args.token, { httpAgent: http.globalAgent });
  const v2 = client.v2;
  (v2 as unknown as { _prefix: string })._prefix = new URL('/2/', args.url).href;
  const out = createWriteStream(args.out);
  let paginator: TweetSearchRecentV2Paginator = await v2.search(args.query, {
    ...(args.maxResults === undefined ? {} : { max_results: args.maxResults }),
    'tweet.fields': [...TWEET_FIELDS],
    expansions: ['author_id'],
  });
  let posts = 0;
  for (let pages = 0; pages < 10_000_000; pages++) {
    const users = new Map((paginator.includes.users ?? []).map((u) => [u.id, u]));
    let chunk = '';
    for (const post of paginator.tweets) {
      chunk += `${JSON.stringify({ ...post, _author: users.get(post.author_id ?? '') })}\n`;
      posts++;
    }
    if (chunk !== '' && !out.write(chunk)) await once(out, 'drain');
    if (paginator.done) break;
    paginator = await paginator.next();
  }
  out.end();
  await once(out, 'finish');
  reportDone(posts, fsyncFile(args.out));
}

await runContender(PREFIX, main);
