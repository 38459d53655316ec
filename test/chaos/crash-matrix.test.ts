/**
 * The crash matrix: the real CLI in a child process, SIGKILLed (TWITTER_POLLER_FAILPOINT) at each
 * labelled point of the poll loop, for the SQLite and the DynamoDB (dynalite) store, then restarted
 * until caught up. Per point: lost, unexpected and duplicate posts against the emulator's ground
 * truth. Lost = 0, unexpected = 0, duplicates <= COMMIT_PAGES pages per kill (group commit: the poller
 * writes the batches of up to --commit-pages pages, then one fsync and one checkpoint).
 *
 * The negative control runs the official recipe (since_id := the first page's newest_id, saved before
 * the older pages are delivered) with a crash after its first page, and must lose posts: proof that
 * this measurement can fail.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import { timeMsToId } from '../../src/core/ids.js';
import { Endpoint } from '../../src/core/ports/x-api.js';
import { Failpoint, type FailpointLabel } from '../../src/core/run-types.js';
import { cliBundle, logEvents, runCli } from '../cli/run-cli.js';
import {
  compareDelivery,
  emptyFigures,
  iterations,
  reportScenario,
  type ScenarioFigures,
  startTestEmulator,
  tempDir,
} from '../property/support.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { expireDynamoLease, expireSqliteLeases, readJsonlIds } from './crash-support.js';

const TOKEN = 'crash-matrix-token-51c0ffee';
const QUERY = 'coffee OR music OR the';
const BATCH = 7;
/** Recent search's max_results. */
const PAGE = 100;
/** --commit-pages of the runs: one kill makes the next run deliver again at most this many pages. */
const COMMIT_PAGES = 2;
const LABELS = Object.values(Failpoint) as FailpointLabel[];

describe('crash matrix (CLI child processes, SIGKILL at every failpoint)', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  let dir: ReturnType<typeof tempDir>;
  let since: string;
  let truth: string[];
  const admin = () => db.client();
  const figures = new Map<string, ScenarioFigures>();
  beforeAll(async () => {
    await cliBundle();
    emu = await startTestEmulator({ posts: 5000, frozenClock: false, now: Date.now(), tokens: [TOKEN] });
    db = await startDynalite();
    dir = tempDir('tp-crash-');
    since = timeMsToId(emu.now() - 3 * 86_400_000);
    truth = emu.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since });
  });
  afterAll(async () => {
    for (const [name, f] of figures) reportScenario(name, f);
    await db.close();
    await emu.close();
    dir.remove();
  });

  const stores = ['sqlite', 'dynamodb'] as const;
  let scenario = 0;

  it.each(stores)(
    '%s: no loss, no stray post, duplicates within one commit group, at every kill point',
    { timeout: 180_000 },
    async (kind) => {
      expect(truth.length).toBeGreaterThan(150); // several pages of 100
      const client = admin();
      for (const label of LABELS) {
        const f = emptyFigures();
        figures.set(`crash-matrix ${kind} ${label}`, f);
        // Batches (7 posts) are written ~47 times a run; pages are fetched 4 times and committed 2 times
        // (pages 1-2, 3-4), the checkpoint written 3 times (the first checkpoint, then each commit).
        const nths =
          label === Failpoint.afterDeliveryBeforeAck
            ? [1, 9, 23, 40]
            : label === Failpoint.afterFetch
              ? [1, 2, 3, 4]
              : label === Failpoint.afterAckBeforeCheckpoint
                ? [1, 2]
                : [1, 2, 3];
        for (const nth of nths.slice(0, iterations(kind === 'sqlite' ? 2 : 1, nths.length))) {
          const id = ++scenario;
          const sink = join(dir.dir, `out-${id}.jsonl`);
          const dbPath = join(dir.dir, `state-${id}.db`);
          const table = kind === 'dynamodb' ? await db.createTable(`crash-${id}`) : '';
          const store = kind === 'sqlite' ? `sqlite:${dbPath}` : `dynamodb:${table}`;
          const env = {
            X_BEARER_TOKEN: TOKEN,
            X_API_BASE_URL: emu.url,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'AKIDTEST',
            AWS_SECRET_ACCESS_KEY: 'secret-test',
            AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
          };
          const args = [
            'poll',
            '--query',
            QUERY,
            '--stream',
            'crash',
            '--initial',
            since,
            '--store',
            store,
            '--sink',
            `jsonl:${sink}`,
            '--batch-size',
            String(BATCH),
            '--min-interval',
            '0',
            '--max-tweets',
            '100000',
            '--commit-pages',
            String(COMMIT_PAGES),
            // Only the page count decides in this test, however slow the machine.
            '--commit-interval',
            '600000',
          ];
          const killed = await runCli(args, {
            cwd: dir.dir,
            env: { ...env, TWITTER_POLLER_FAILPOINT: `${label}:${nth}` },
            timeoutMs: 60_000,
          });
          f.runs++;
          expect(killed.signal, killed.stderr).toBe('SIGKILL');
          f.kills++;
          // Time passes: the killed run's lease expires. Then restart until caught up.
          if (kind === 'sqlite') expireSqliteLeases(dbPath);
          else await expireDynamoLease(client, table, 'crash');
          let caughtUp = false;
          for (let restart = 0; restart < 4 && !caughtUp; restart++) {
            const again = await runCli(args, { cwd: dir.dir, env, timeoutMs: 60_000 });
            f.runs++;
            expect(again.code, again.stderr).toBe(0);
            const end = logEvents(again.stderr).find((e) => e.event === 'execution_end');
            caughtUp = end?.caught_up === true;
          }
          expect(caughtUp).toBe(true);
          const d = compareDelivery(truth, readJsonlIds(sink));
          f.published += truth.length;
          f.lost += d.lost;
          f.unexpected += d.unexpected;
          f.duplicates += d.duplicates;
          expect(d.lostIds, `${kind} ${label}:${nth}`).toEqual([]);
          expect(d.unexpected).toBe(0);
          expect(d.duplicates).toBeLessThanOrEqual(COMMIT_PAGES * PAGE);
        }
      }
      client.destroy();
    },
  );

  it('negative control: the official since_id recipe loses posts when it crashes after the first page', async () => {
    const f = emptyFigures();
    figures.set('crash-matrix negative control (naive since_id := first newest_id)', f);
    const api = new HttpXApi({
      baseUrl: emu.url,
      bearerToken: TOKEN,
      responseTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
    });
    const delivered: string[] = [];
    let saved = since; // the naive checkpoint
    const page = async (sinceId: string, token?: string) => {
      const params: Record<string, string> = {
        query: QUERY,
        max_results: '100',
        since_id: sinceId,
        ...(token ? { next_token: token } : {}),
      };
      const res = await api.get<{
        data?: { id: string }[];
        meta: { newest_id?: string; next_token?: string };
      }>({
        endpoint: Endpoint.searchRecent,
        path: '/2/tweets/search/recent',
        params,
      });
      return res.body;
    };
    // Run 1: saves since_id := the first page's newest_id at once (as the official recipe does),
    // delivers the first page, then the process dies before the older pages.
    const first = await page(saved);
    saved = first.meta.newest_id ?? saved;
    delivered.push(...(first.data ?? []).map((t) => t.id));
    f.runs++;
    f.kills++;
    // Run 2: restarts from the saved since_id and pages to the end.
    let token: string | undefined;
    for (let i = 0; i < 100; i++) {
      const p = await page(saved, token);
      delivered.push(...(p.data ?? []).map((t) => t.id));
      token = p.meta.next_token;
      if (token === undefined) break;
    }
    f.runs++;
    const d = compareDelivery(truth, delivered);
    f.published += truth.length;
    f.lost += d.lost;
    f.unexpected += d.unexpected;
    f.duplicates += d.duplicates;
    // The control must fail the property the poller passes.
    expect(d.lost).toBeGreaterThan(0);
  });
});
