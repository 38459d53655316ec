/**
 * One poller execution in its own process, for the SIGKILL test: the real HttpXApi, SQLite store, JSONL
 * sink, SystemClock and JSON logger (stderr), configured by POLLER_CHILD_CONFIG (JSON, see
 * ChildConfig). With `naive: true` the checkpoint goes through NaiveCheckpointStore (negative control).
 * Exit code 0 when every stream caught up or used its share of max_tweets, 1 otherwise.
 */
import { JsonLogger } from '../../../src/adapters/observability/json-logger.js';
import { SumMetrics } from '../../../src/adapters/observability/sum-metrics.js';
import { JsonlFileSink } from '../../../src/adapters/sinks/jsonl.js';
import { SqliteCheckpointStore } from '../../../src/adapters/stores/sqlite.js';
import { SystemClock } from '../../../src/adapters/system-clock.js';
import { HttpXApi } from '../../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../../src/config/defaults.js';
import type { CheckpointStore } from '../../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../../src/core/run.js';
import type { StreamSpec } from '../../../src/core/stream.js';
import type { ChildConfig } from './child.js';
import { NaiveCheckpointStore } from './naive-store.js';

const config = JSON.parse(process.env.POLLER_CHILD_CONFIG ?? '{}') as ChildConfig;
const sqlite = new SqliteCheckpointStore({ path: config.dbPath });
const store: CheckpointStore = config.naive ? new NaiveCheckpointStore(sqlite) : sqlite;
const sink = new JsonlFileSink({ path: config.sinkPath });
const spec = (name: string, query: string): StreamSpec => ({
  name,
  source: { kind: 'search', query, archive: false },
  tweetFields: ['created_at', 'author_id'],
  userFields: [],
  expansions: ['author_id'],
  initial: { kind: 'since_id', id: config.since },
  overlapSeconds: 0,
});
const summary = await runExecution(
  {
    api: new HttpXApi({
      baseUrl: config.baseUrl,
      bearerToken: config.token,
      responseTimeoutMs: 2_000,
      bodyTimeoutMs: 30_000,
    }),
    store,
    sink,
    clock: new SystemClock(),
    logger: new JsonLogger({ secrets: [config.token] }),
    metrics: new SumMetrics(),
  },
  [spec('killed', config.query), ...(config.moreQueries ?? []).map((q) => spec(q, q))],
  {
    ...DEFAULT_RUN_OPTIONS,
    maxTweets: config.maxTweets ?? 1_000_000,
    batchSize: config.batchSize,
    ...(config.commitPages === undefined
      ? {}
      : { commitPages: config.commitPages, commitIntervalMs: 3_600_000 }),
    ...(config.concurrency === undefined ? {} : { concurrency: config.concurrency }),
    minIntervalMs: 0,
    retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 8 },
  },
);
await sink.close();
await store.close();
process.exitCode = summary.streams.every((s) => s.outcome === 'caught_up' || s.outcome === 'budget_exhausted')
  ? 0
  : 1;
