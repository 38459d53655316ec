/**
 * Two `poll` processes (the real CLI bundle) sharing one SQLite store and one JSONL file against the
 * emulator, one of them unable to write past a file size (`ulimit -f`, SIGXFSZ ignored, so its append
 * fails with EFBIG as a full disk would fail it with ENOSPC). Used by the integration suite (one seed)
 * and by test/chaos under `npm run soak` (many seeds).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../emulator/index.js';
import { SqliteRunHistory } from '../../../src/adapters/stores/run-history-sqlite.js';
import { SqliteCheckpointStore } from '../../../src/adapters/stores/sqlite.js';
import { SqliteRateBudgetStore } from '../../../src/adapters/stores/sqlite-rate-budget.js';
import { SqliteSpendLedger } from '../../../src/adapters/stores/sqlite-spend-ledger.js';
import { timeMsToId } from '../../../src/core/ids.js';
import { expireSqliteLeases } from '../../chaos/crash-support.js';
import { type CliResult, cliBundle, collect, logEvents } from '../../cli/run-cli.js';

const TOKEN = 'two-writers-token-3f1e8a';
/** Two queries over the emulator's vocabulary, so the two processes poll different streams. */
export const QUERIES = ['coffee OR music', 'travel OR food OR book'] as const;

/** What one scenario saw: enough for the test to assert and to report. */
export interface TwoWritersResult {
  readonly failing: CliResult;
  readonly healthy: CliResult;
  /** Post ids in the file right after both first runs ended. */
  readonly afterFirst: ReadonlySet<string>;
  /** Reruns (without the limit) until both streams were caught up. */
  readonly reruns: number;
  /** The file at the end. */
  readonly finalText: string;
  /** Ground truth per query. */
  readonly truth: readonly (readonly string[])[];
}

/** Ids of a JSONL text; throws on a line that is not whole JSON. */
export function idsOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

/** Runs the scenario for one emulator seed; `limitKb` is the failing process's file size limit. */
export async function runTwoWriters(seed: number, limitKb = 128): Promise<TwoWritersResult> {
  const bundle = await cliBundle();
  const emulator = await startEmulator({
    seed,
    posts: 3000,
    searchDelayMs: 0,
    lateArrivalFraction: 0,
    tokens: [TOKEN],
  });
  const dir = await mkdtemp(join(tmpdir(), 'tp-two-writers-'));
  try {
    const since = timeMsToId(emulator.now() - 6 * 86_400_000);
    const truth = QUERIES.map((query) =>
      emulator.groundTruth({ endpoint: 'search_recent', query, since_id: since }),
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      X_BEARER_TOKEN: TOKEN,
      X_API_BASE_URL: emulator.url,
    };
    const args = (query: string) => [
      'poll',
      '--query',
      query,
      '--store',
      `sqlite:${join(dir, 'state.db')}`,
      '--sink',
      `jsonl:${join(dir, 'posts.jsonl')}`,
      '--min-interval',
      '0',
      '--batch-size',
      '20',
      '--max-tweets',
      '100000',
      '--retry-base',
      '1',
      '--retry-max',
      '10',
      '--initial',
      since,
    ];
    const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
    // Node resets an inherited SIG_IGN to the default (which kills): a handler keeps it from dying, so
    // that a write past the limit fails with EFBIG, as a full disk fails one with ENOSPC.
    const preload = join(dir, 'ignore-xfsz.cjs');
    await writeFile(preload, "process.on('SIGXFSZ', () => {});\n");
    const node = [process.execPath, '--require', preload, bundle, ...args(QUERIES[0])];
    const limited = `trap "" XFSZ; ulimit -f ${limitKb}; exec ${node.map(quote).join(' ')}`;
    const spawnOpts = { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
    // The store exists before the writers start, as from the second run on: creating its tables
    // writes about 64 KB of WAL, which would make the limited writer fail at opening the store
    // (exit 2) or not, depending on which process starts first, instead of at its appends.
    await createStore(join(dir, 'state.db'));
    const [failing, healthy] = await Promise.all([
      collect(spawn('bash', ['-c', limited], spawnOpts), 60_000),
      collect(spawn(process.execPath, [bundle, ...args(QUERIES[1])], spawnOpts), 60_000),
    ]);
    const afterFirst = new Set(idsOf(await readFile(join(dir, 'posts.jsonl'), 'utf8')));
    // Reruns without the limit until both streams are caught up (bounded).
    let reruns = 0;
    for (; reruns < 5; reruns++) {
      // The size limit may also have failed the limited process's store writes (its lease release
      // among them): its lease then stays until the TTL, which later runs respect. Time passes here.
      expireSqliteLeases(join(dir, 'state.db'));
      const results = await Promise.all(
        QUERIES.map(async (q) => collect(spawn(process.execPath, [bundle, ...args(q)], spawnOpts), 60_000)),
      );
      if (results.every((r) => r.code === 0 && caughtUp(r))) break;
    }
    return {
      failing,
      healthy,
      afterFirst,
      reruns: reruns + 1,
      finalText: await readFile(join(dir, 'posts.jsonl'), 'utf8'),
      truth,
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function caughtUp(result: CliResult): boolean {
  const end = logEvents(result.stderr).find((e) => e.event === 'execution_end');
  return end?.caught_up === true;
}

/** The `tweets_delivered` of a run's execution_end (0 when it did not end normally). */
export function deliveredCount(result: CliResult): number {
  const end = logEvents(result.stderr).find((e) => e.event === 'execution_end');
  return typeof end?.tweets_delivered === 'number' ? end.tweets_delivered : 0;
}

/** True when the run's execution_end says every stream caught up. */
export { caughtUp };

/** Creates the SQLite store's tables (checkpoints, spend ledger, run history, rate budget), then closes it. */
async function createStore(path: string): Promise<void> {
  await new SqliteCheckpointStore({ path }).close();
  await new SqliteSpendLedger({ path }).close();
  await new SqliteRunHistory({ path }).close();
  await new SqliteRateBudgetStore({ path, readOnly: false }).close();
}
