/**
 * Issue 12: two CLI processes on one SQLite file, each polling its own streams. Once one of them
 * meets the 402, the other stops within one request: the "credits depleted" flag is in the shared
 * store and every request first checks it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import { cliBundle, collect, logEvents, spawnCli } from '../cli/run-cli.js';
import { tempDir } from '../property/support.js';

const TOKEN = 'credits-mp-token-9e1d';
/** Requests in flight at once per process (the CLI's default, written out). */
const CONCURRENCY = 2;
const PROCESSES = [
  { name: 'p1', queries: ['news OR love', 'coffee OR tea'] },
  { name: 'p2', queries: ['music OR art', 'the -coffee -music'] },
];

describe('credits depleted across two processes sharing one SQLite store', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    await cliBundle();
    emu = await startEmulator({
      seed: 12,
      posts: 12_000,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
      // Plenty at first; cut to a few pages once both processes are paging (below).
      credits: 1_000_000,
    });
    dir = tempDir('tp-credits-mp-');
  });
  afterAll(async () => {
    await emu.close();
    dir.remove();
  });

  it('the other process stops within one request per slot of the first 402', {
    timeout: 120_000,
  }, async () => {
    // Prepare: one config per process, both on the same store file.
    const since = timeMsToId(emu.now() - 5 * 86_400_000);
    const store = `sqlite:${join(dir.dir, 'state.db')}`;
    const configs = PROCESSES.map((p) => {
      const path = join(dir.dir, `${p.name}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          streams: p.queries.map((query, i) => ({ name: `${p.name}-${i}`, query, initial: since })),
          store,
          sink: `jsonl:${join(dir.dir, `${p.name}.jsonl`)}`,
          // Paced, so that both processes are paging when the credits run out.
          min_interval_ms: 300,
          max_tweets: 100_000,
          concurrency: CONCURRENCY,
        }),
      );
      return path;
    });
    const env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emu.url };
    const owner = (url: string) =>
      PROCESSES.findIndex((p) =>
        p.queries.some((q) => new URLSearchParams(url.split('?')[1]).get('query') === q),
      );
    // Act: both at once.
    const children = await Promise.all(
      configs.map((config) => spawnCli(['poll', '--config', config], { cwd: dir.dir, env })),
    );
    const collected = Promise.all(children.map((child) => collect(child, 90_000)));
    // Both really paging before the credits run out: on a loaded machine one process may start seconds
    // after the other (seen in CI: one met the 402 before the other's first request). Bounded: 60 s.
    for (let i = 0; i < 1200; i++) {
      const log = emu.requestLog();
      if (PROCESSES.every((_, p) => log.some((r) => owner(r.url) === p))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    emu.setCredits({ balance: 400 }); // four more pages of 100 posts, whoever reads them
    const results = await collected;
    // Assess: the first 402, whose query says which process met it; then the other's requests.
    const log = emu.requestLog();
    const first402 = log.findIndex((r) => r.status === 402);
    expect(first402).toBeGreaterThan(0);
    const hit = owner(log[first402]!.url);
    const other = 1 - hit;
    const otherBefore = log.slice(0, first402).filter((r) => owner(r.url) === other).length;
    const otherAfter = log.slice(first402 + 1).filter((r) => owner(r.url) === other).length;
    console.info(
      `[credits multi-process] ${PROCESSES[hit]!.name} met the 402 after ${first402} requests; ${PROCESSES[other]!.name} made ${otherBefore} before it and ${otherAfter} after it`,
    );
    expect(otherBefore).toBeGreaterThan(0); // both were really running
    // It sees the flag before its next request: only the requests that had passed that check before
    // the flag was set (one per slot) go out after the 402.
    expect(otherAfter).toBeLessThanOrEqual(CONCURRENCY);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/credits/i);
      const end = logEvents(r.stderr).find((e) => e.event === 'execution_end') as
        | { streams: { outcome: string }[] }
        | undefined;
      // A stream may have caught up before the credits ran out; none goes on after.
      const outcomes = end?.streams.map((s) => s.outcome) ?? [];
      expect(outcomes).toContain('credits_depleted');
      for (const o of outcomes) expect(['caught_up', 'credits_depleted']).toContain(o);
    }
    // Each process: the requests in flight when it met the 402 or saw the flag, one per slot.
    expect(log.filter((r) => r.status === 402).length).toBeLessThanOrEqual(PROCESSES.length * CONCURRENCY);
  });
});
