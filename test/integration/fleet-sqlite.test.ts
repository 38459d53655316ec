/**
 * Integration: six `poll` processes (the built CLI), one stream each, on one SQLite file, against
 * one app limit of 30 requests per 5 s. They share the app-wide rate budget kept in the file, so
 * none of them is answered 429 and every stream's file holds exactly its ground truth. (Wall time
 * against the minimum is measured in bench/: `npm run bench -- --scenario fleet`.)
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import { readJsonlIds } from '../chaos/crash-support.js';
import { cliBundle, collect, logEvents, runCli, spawnCli } from '../cli/run-cli.js';
import { compareDelivery, tempDir } from '../property/support.js';

const PROCESSES = 6;
const TOKENS = Array.from({ length: PROCESSES }, (_, i) => `fleet-token-${i}-5eb1c0de`);

describe('six poll processes on one SQLite file share one app budget', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    await cliBundle();
    emu = await startEmulator({
      seed: 11,
      posts: 15_000,
      users: PROCESSES,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      windowSeconds: 5,
      rateLimits: { search_recent: 30 },
      // Every process has its own token; the app's limit covers them all.
      apps: { fleet: TOKENS },
      tokens: TOKENS,
    });
    dir = tempDir('tp-fleet-');
  });
  afterAll(async () => {
    await emu.close();
    dir.remove();
  });

  it('makes no request the API refuses with 429 and loses nothing', { timeout: 180_000 }, async () => {
    const users = emu.users();
    expect(users).toHaveLength(PROCESSES);
    const since = timeMsToId(emu.now() - 6 * 86_400_000);
    const store = `sqlite:${join(dir.dir, 'state.db')}`;
    const children = await Promise.all(
      users.map((user, i) =>
        spawnCli(
          [
            'poll',
            '--query',
            `from:${user.username}`,
            '--stream',
            `s${i}`,
            '--initial',
            since,
            '--store',
            store,
            '--sink',
            `jsonl:${join(dir.dir, `s${i}.jsonl`)}`,
            '--min-interval',
            '0',
            '--max-tweets',
            '100000',
            '--time-budget',
            '170',
          ],
          { cwd: dir.dir, env: { X_BEARER_TOKEN: TOKENS[i]!, X_API_BASE_URL: emu.url } },
        ),
      ),
    );
    const results = await Promise.all(children.map((c) => collect(c, 175_000)));
    const requests = emu.requestLog().length;
    expect(requests).toBeGreaterThan(60); // several windows' worth, or the test proves nothing
    expect(emu.statusCounts()[429] ?? 0).toBe(0);
    for (const [i, r] of results.entries()) {
      expect(r.code, r.stderr).toBe(0);
      const end = logEvents(r.stderr).find((e) => e.event === 'execution_end');
      expect(end?.caught_up).toBe(true);
      const truth = emu.groundTruth({
        endpoint: 'search_recent',
        query: `from:${users[i]!.username}`,
        since_id: since,
      });
      const d = compareDelivery(truth, readJsonlIds(join(dir.dir, `s${i}.jsonl`)));
      expect(d.lostIds).toEqual([]);
      expect(d.unexpected).toBe(0);
    }
    const status = await runCli(['status', '--json', '--store', store], { cwd: dir.dir });
    expect(status.code, status.stderr).toBe(0);
    const budget = (JSON.parse(status.stdout) as { rate_budget: { endpoint: string; limit: number }[] })
      .rate_budget;
    expect(budget.find((b) => b.endpoint === 'search_recent')?.limit).toBe(30);
  });
});
