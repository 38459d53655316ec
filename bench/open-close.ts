/**
 * Opening and closing many streams on DynamoDB (issue 10): a run of `--streams` streams (50 posts
 * each on a fake X API: the pages are not what is measured) against dynalite behind a loopback proxy
 * that holds every request `--rtt` ms (a DynamoDB round trip; dynalite alone answers in well under a
 * millisecond, so it would measure this process's CPU instead). Prints, per run, the time from the
 * start to the first page request (leases, loads, first checkpoints) and from the last page request
 * to the end (final commits, leases released).
 *
 *   node --import tsx bench/open-close.ts [--streams 100] [--rtt 5] [--reps 3]
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { DynamoDbCheckpointStore } from '../src/adapters/stores/dynamodb.js';
import { runExecution } from '../src/core/run.js';
import { startDynalite } from '../test/support/aws/dynalite.js';
import { harness, recentIds, searchStream, testOptions } from '../test/support/harness.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '100' },
    rtt: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
  },
});
const n = Number(values.streams);
const rttMs = Number(values.rtt);

/** A TCP proxy to `port` holding each chunk sent to it `delayMs` (answers pass at once). */
async function delayingProxy(port: number, delayMs: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const db = await startDynalite();
const proxy = await delayingProxy(Number(new URL(db.endpoint).port), rttMs);
const opens: number[] = [];
const closes: number[] = [];
try {
  for (let rep = 0; rep < Number(values.reps); rep++) {
    const table = await db.createTable();
    const h = harness(recentIds(Date.UTC(2026, 10, 28, 12), 50));
    const client = db.client({ endpoint: `http://127.0.0.1:${proxy.port}` });
    const store = new DynamoDbCheckpointStore({ tableName: table, client });
    const streams = Array.from({ length: n }, (_, i) =>
      searchStream({ name: `s${i}`, initial: { kind: 'since_id', id: '1' } }),
    );
    const requests: number[] = [];
    const get = h.api.get.bind(h.api);
    h.api.get = (request, signal) => {
      requests.push(performance.now());
      return get(request, signal);
    };
    const started = performance.now();
    const summary = await runExecution({ ...h.deps, store }, streams, testOptions({ maxTweets: 1_000_000 }));
    const ended = performance.now();
    if (summary.tweets_delivered !== 50 * n) throw new Error(`delivered ${summary.tweets_delivered}`);
    opens.push((requests[0] ?? ended) - started);
    closes.push(ended - (requests.at(-1) ?? ended));
    client.destroy();
    console.log(
      `run ${rep + 1}: ${n} streams, ${rttMs} ms a round trip: start to first request ${opens.at(-1)?.toFixed(0)} ms, last request to end ${closes.at(-1)?.toFixed(0)} ms, total ${(ended - started).toFixed(0)} ms`,
    );
  }
  console.log(`medians: open ${median(opens).toFixed(0)} ms, close ${median(closes).toFixed(0)} ms`);
} finally {
  proxy.close();
  await db.close();
}
