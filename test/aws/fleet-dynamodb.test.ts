/**
 * Eight workers (child processes of the built CLI, the real SDK v3) on one DynamoDB table (dynalite),
 * every one given the same 24 streams, against one app limit of 30 requests per 5 s shared by their
 * eight tokens. They share the rate budget kept in the table and take streams under leases: no 429,
 * nothing lost, and no stream polled by two workers at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import { readJsonlIds } from '../chaos/crash-support.js';
import { cliBundle, collect, logEvents, spawnCli } from '../cli/run-cli.js';
import { compareDelivery, tempDir } from '../property/support.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

const WORKERS = 8;
const STREAMS = 24;
const TOKENS = Array.from({ length: WORKERS }, (_, i) => `dyn-fleet-${i}-c0ffee`);

describe('eight workers on one DynamoDB table share one app budget', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    await cliBundle();
    db = await startDynalite();
    emu = await startEmulator({
      seed: 5,
      posts: 7_000,
      users: STREAMS,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      windowSeconds: 5,
      rateLimits: { search_recent: 30 },
      apps: { fleet: TOKENS },
      tokens: TOKENS,
    });
    dir = tempDir('tp-dyn-fleet-');
  });
  afterAll(async () => {
    await emu.close();
    await db.close();
    dir.remove();
  });

  it('0 429s, 0 lost, no stream polled by two workers at once', { timeout: 240_000 }, async () => {
    const users = emu.users();
    const since = timeMsToId(emu.now() - 6 * 86_400_000);
    const table = await db.createTable('fleet');
    const config = join(dir.dir, 'streams.json');
    writeFileSync(
      config,
      JSON.stringify({
        initial: since,
        streams: users.map((u, i) => ({ name: `s${i}`, query: `from:${u.username}` })),
      }),
    );
    const children = await Promise.all(
      TOKENS.map((token, w) =>
        spawnCli(
          [
            'poll',
            '--config',
            config,
            '--store',
            `dynamodb:${table}`,
            '--sink',
            `jsonl:${join(dir.dir, `w${w}.jsonl`)}`,
            '--min-interval',
            '0',
            '--max-tweets',
            '1000000',
            '--time-budget',
            '220',
          ],
          {
            cwd: dir.dir,
            env: {
              X_BEARER_TOKEN: token,
              X_API_BASE_URL: emu.url,
              AWS_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'AKIDTEST',
              AWS_SECRET_ACCESS_KEY: 'secret-test',
              AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
            },
          },
        ),
      ),
    );
    const results = await Promise.all(children.map((c) => collect(c, 230_000)));
    expect(emu.requestLog().length).toBeGreaterThan(60);
    expect(emu.statusCounts()[429] ?? 0).toBe(0);
    // Per stream, the intervals (first to last event) in which each worker polled it.
    const spans = new Map<string, { worker: number; from: string; to: string }[]>();
    for (const [w, r] of results.entries()) {
      expect(r.code, r.stderr).toBe(0);
      const events = logEvents(r.stderr);
      const end = events.find((e) => e.event === 'execution_end') as
        | { streams: { stream: string; outcome: string }[] }
        | undefined;
      for (const s of end?.streams ?? []) expect(['caught_up', 'skipped_locked']).toContain(s.outcome);
      const mine = new Map<string, { from: string; to: string }>();
      for (const e of events) {
        if (typeof e.stream !== 'string' || e.event === 'stream_skipped' || typeof e.time !== 'string')
          continue;
        const span = mine.get(e.stream) ?? { from: e.time, to: e.time };
        span.to = e.time;
        mine.set(e.stream, span);
      }
      for (const [stream, span] of mine)
        spans.set(stream, [...(spans.get(stream) ?? []), { worker: w, ...span }]);
    }
    for (const [stream, list] of spans) {
      const sorted = [...list].sort((a, b) => (a.from < b.from ? -1 : 1));
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i]!.from > sorted[i - 1]!.to, `${stream} polled by two workers at once`).toBe(true);
      }
    }
    // Every stream's posts, across the workers' files, exactly once or more: nothing lost.
    const delivered = TOKENS.flatMap((_, w) => readJsonlIds(join(dir.dir, `w${w}.jsonl`)));
    const truth = users.flatMap((u) =>
      emu.groundTruth({ endpoint: 'search_recent', query: `from:${u.username}`, since_id: since }),
    );
    const d = compareDelivery(truth, delivered);
    expect(d.lostIds).toEqual([]);
    expect(d.unexpected).toBe(0);
    expect(d.duplicates).toBe(0);
    expect(spans.size).toBe(STREAMS);
  });
});
