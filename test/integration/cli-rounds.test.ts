/**
 * Integration: the built CLI (child processes) against the emulator over loopback, with a SQLite file
 * and a JSONL file, round after round: posts are published between rounds (some late, some under
 * faults), each round polls with a small budget until caught up, and after every round the JSONL file
 * holds exactly the ground truth and `status --json` reports the committed since_id.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import { readJsonlIds } from '../chaos/crash-support.js';
import { cliBundle, logEvents, runCli } from '../cli/run-cli.js';
import { compareDelivery, startTestEmulator, tempDir } from '../property/support.js';

const TOKEN = 'integration-token-7e57e57e57';
const QUERY = 'the OR coffee';

describe('CLI rounds against the emulator (SQLite + JSONL)', () => {
  let emu: RunningEmulator;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    await cliBundle();
    emu = await startTestEmulator({ posts: 1500, frozenClock: false, now: Date.now(), tokens: [TOKEN] });
    dir = tempDir('tp-int-');
  });
  afterAll(async () => {
    await emu.close();
    dir.remove();
  });

  it('delivers exactly the ground truth after every round, through faults and budget stops', {
    timeout: 120_000,
  }, async () => {
    const since = timeMsToId(emu.now() - 2 * 86_400_000);
    const sink = join(dir.dir, 'posts.jsonl');
    const store = `sqlite:${join(dir.dir, 'state.db')}`;
    const env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emu.url };
    const args = [
      'poll',
      '--query',
      QUERY,
      '--stream',
      'int',
      '--initial',
      since,
      '--store',
      store,
      '--sink',
      `jsonl:${sink}`,
      '--batch-size',
      '9',
      '--max-tweets',
      '60',
      '--min-interval',
      '0',
    ];
    for (let round = 0; round < 4; round++) {
      if (round > 0)
        emu.publish({
          posts: Array.from({ length: 25 }, (_, i) => ({
            text: `the round ${round} post ${i} about coffee`,
          })),
        });
      emu.setFaults(
        round === 2 ? { rate: 0.3, kinds: ['503', 'reset', 'short-page', 'empty-page'], seed: round } : {},
      );
      let caughtUp = false;
      for (let i = 0; i < 30 && !caughtUp; i++) {
        const r = await runCli(args, { cwd: dir.dir, env });
        expect(r.code, r.stderr).toBe(0);
        caughtUp = logEvents(r.stderr).find((e) => e.event === 'execution_end')?.caught_up === true;
      }
      expect(caughtUp).toBe(true);
      const truth = emu.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
      const d = compareDelivery(truth, readJsonlIds(sink));
      expect(d.lostIds).toEqual([]);
      expect(d.unexpected).toBe(0);
      expect(d.duplicates).toBe(0);
      const status = await runCli(['status', '--json', '--store', store], { cwd: dir.dir });
      expect(status.code, status.stderr).toBe(0);
      const rows = (JSON.parse(status.stdout) as { streams: { stream: string; since_id: string }[] }).streams;
      expect(rows.find((r) => r.stream === 'int')?.since_id).toBe(truth[0]);
    }
  });
});
