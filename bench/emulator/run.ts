/**
 * Emulator benchmark: loads 1,000,000 posts, then measures pages served per second and server CPU
 * per 100-post page while a child process drives keep-alive HTTP requests.
 *   node --import tsx bench/emulator/run.ts [posts] [requestsPerScenario]
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EmulatorController } from '../../emulator/admin/index.js';
import type { EndpointKey } from '../../emulator/api/index.js';
import { handleApi, listen } from '../../emulator/http/index.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const POSTS = Number(process.argv[2] ?? 1_000_000);
const REQUESTS = Number(process.argv[3] ?? 5000);
const CONCURRENCY = 4;
const HUGE = 1_000_000_000;

interface DriverResult {
  requests: number;
  ms: number;
  bytes: number;
  statuses: Record<string, number>;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const options = {
    posts: POSTS,
    seed: 1,
    usageCap: HUGE * 1000,
    rateLimits: { search_recent: HUGE, search_all: HUGE, user_tweets: HUGE, user_mentions: HUGE },
    searchAllPerSecond: 0,
  };
  const controller = new EmulatorController(options);
  const loadMs = performance.now() - t0;
  const emu = await listen(controller, options);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(
    `loaded ${POSTS} posts in ${loadMs.toFixed(0)} ms; heap used ${mb(mem.heapUsed - heapBefore)} (+${mb(mem.arrayBuffers)} typed arrays), rss ${mb(mem.rss)}`,
  );

  const user = emu.users().sort((a, b) => b.posts - a.posts)[0]!;
  // Load fetch (undici) once so that "first request" below measures the emulator, not the client.
  await fetch(`${emu.url}/_emulator/health`).then((r) => r.arrayBuffer());
  const fields =
    'tweet.fields=created_at,author_id,lang,public_metrics,entities,referenced_tweets&expansions=author_id';
  const scenarios: [string, string, string, boolean][] = [
    [
      'search/recent query=the, 100/page, default fields',
      '/2/tweets/search/recent?query=the&max_results=100',
      'next_token',
      false,
    ],
    [
      'search/recent (love OR news) -is:retweet, 100/page, 6 fields + author expansion',
      `/2/tweets/search/recent?query=${encodeURIComponent('(love OR news) -is:retweet')}&max_results=100&${fields}`,
      'next_token',
      false,
    ],
    [
      'search/all query=the, 100/page, default fields',
      '/2/tweets/search/all?query=the&max_results=100',
      'next_token',
      false,
    ],
    [
      `users/:id/tweets (${user.posts} posts), 100/page`,
      `/2/users/${user.id}/tweets?max_results=100`,
      'pagination_token',
      false,
    ],
    [
      'search/recent query=the, 100/page, gzip (first page repeatedly)',
      '/2/tweets/search/recent?query=the&max_results=100',
      'next_token',
      true,
    ],
  ];
  console.log('\nhandler only (no HTTP), paging 100-post pages in-process:');
  for (const [label, path, tokenParam, gzip] of scenarios) {
    if (gzip) continue;
    const url = new URL(path, 'http://x');
    const endpoint: EndpointKey = url.pathname.includes('search/all')
      ? 'search_all'
      : url.pathname.includes('search')
        ? 'search_recent'
        : 'user_tweets';
    const param = endpoint === 'user_tweets' ? user.id : undefined;
    // The first walk compiles the query, scans the corpus and renders every post (cold); the
    // following walks hit the render cache (warm). Both are bounded page counts.
    for (const pass of ['cold: first walk through the results', 'warm: repeated walks, render cache']) {
      let token: string | undefined;
      let pages = 0;
      const limit = pass.startsWith('cold') ? 10_000 : 500;
      // CPU time, not wall time: the machine may be shared, and waiting is not cost.
      const cpu0 = process.cpuUsage();
      for (; pages < limit; pages++) {
        const search = new URLSearchParams(url.search);
        if (token) search.set(tokenParam, token);
        const handled = handleApi(controller.state, endpoint, param, search, controller.now(), undefined);
        token = /"next_token":"([0-9a-z]+)"/.exec(handled.response.body.slice(-160))?.[1];
        if (token === undefined && pass.startsWith('cold')) break;
      }
      const cpu = process.cpuUsage(cpu0);
      const ms = (cpu.user + cpu.system) / 1000;
      console.log(
        `  ${label}, ${pass}: ${((ms / (pages + 1)) * 1000).toFixed(0)} µs/page over ${pages + 1} pages`,
      );
    }
  }
  console.log('\nover HTTP (keep-alive, 4 connections from a child process; server CPU = user + system):');
  for (const [label, path, tokenParam, gzip] of scenarios) {
    const first = performance.now();
    await fetch(`${emu.url}${path}`, { headers: { authorization: 'Bearer warm' } }).then((r) =>
      r.arrayBuffer(),
    );
    const firstMs = performance.now() - first;
    const cpu0 = process.cpuUsage();
    const { stdout } = await run(process.execPath, [
      join(here, 'driver.mjs'),
      emu.url,
      path,
      tokenParam,
      String(REQUESTS),
      String(CONCURRENCY),
      gzip ? '1' : '0',
    ]);
    const cpu = process.cpuUsage(cpu0);
    const result = JSON.parse(stdout) as DriverResult;
    const cpuUs = (cpu.user + cpu.system) / result.requests;
    console.log(
      `${label}\n  first request (query compile + scan, cold): ${firstMs.toFixed(1)} ms; ` +
        `${result.requests} requests in ${result.ms.toFixed(0)} ms = ${((result.requests / result.ms) * 1000).toFixed(0)} pages/s; ` +
        `server CPU ${(cpuUs / 1000).toFixed(3)} ms/page; ${(result.bytes / result.requests / 1024).toFixed(1)} KiB/page; statuses ${JSON.stringify(result.statuses)}`,
    );
  }
  await emu.close();
  await httpFloor();
}

/** The same driver against a bare node:http server sending a fixed 15 KiB body: Node's own cost per request. */
async function httpFloor(): Promise<void> {
  const body = Buffer.from(`{"meta":{"result_count":100},"pad":"${'x'.repeat(15_000)}"}`);
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cpu0 = process.cpuUsage();
  const { stdout } = await run(process.execPath, [
    join(here, 'driver.mjs'),
    url,
    '/?q=1',
    'next_token',
    String(REQUESTS),
    String(CONCURRENCY),
    '0',
  ]);
  const cpu = process.cpuUsage(cpu0);
  const result = JSON.parse(stdout) as DriverResult;
  console.log(
    `baseline: bare node:http server, fixed 15 KiB body\n  ${result.requests} requests in ${result.ms.toFixed(0)} ms = ` +
      `${((result.requests / result.ms) * 1000).toFixed(0)} responses/s; server CPU ${((cpu.user + cpu.system) / result.requests / 1000).toFixed(3)} ms/response`,
  );
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

await main();
