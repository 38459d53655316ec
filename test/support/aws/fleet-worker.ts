/**
 * A fan-out worker as the tests run it: the event source played by `workQueue` (receive a shard
 * from SQS on moto, run it, delete it), on a DynamoDB store and rate budget (dynalite), with the
 * real HTTP client against the emulator and a JSONL sink. Used in process (16 workers) and as a
 * child process (fleet-worker-child.ts) that a test SIGKILLs mid-shard.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsShardQueue } from '../../../src/adapters/aws/shard-queue.js';
import { JsonlFileSink } from '../../../src/adapters/sinks/jsonl.js';
import { DynamoDbCheckpointStore } from '../../../src/adapters/stores/dynamodb.js';
import { DynamoDbRateBudgetStore } from '../../../src/adapters/stores/dynamodb-rate-budget.js';
import { SystemClock } from '../../../src/adapters/system-clock.js';
import { HttpXApi } from '../../../src/adapters/x-api/http-client.js';
import { DEFAULT_RUN_OPTIONS } from '../../../src/config/defaults.js';
import type { RunOptions } from '../../../src/core/run-types.js';
import type { StreamSpec } from '../../../src/core/stream.js';
import { type ShardResult, workQueue } from '../../../src/entrypoints/fleet.js';
import { sharedLimiter } from '../../../src/entrypoints/rate-budget.js';
import { RecordingLogger, RecordingMetrics } from '../harness.js';
import { DUMMY_AWS } from './dynalite.js';

/** Everything a worker needs; plain JSON so a child process can receive it in argv. */
export interface FleetWorkerSpec {
  readonly holder: string;
  readonly emulatorUrl: string;
  readonly token: string;
  readonly dynamoEndpoint: string;
  readonly table: string;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly sinkPath: string;
  /** The worker's "Lambda timeout": each shard's run gets this budget. */
  readonly timeBudgetMs: number;
  readonly leaseTtlMs: number;
  readonly visibilityTimeoutSeconds: number;
  readonly streams: readonly StreamSpec[];
  readonly maxMessages?: number;
}

/** One shard's result as a worker saw it, with its run's wall time. */
export interface ShardRun {
  readonly holder: string;
  readonly ok: boolean;
  readonly shard: number | null;
  readonly receiveCount: number;
  readonly durationMs: number;
  readonly outcomes: readonly string[];
  /** Budget writes and lost conditional writes of this shard's run. */
  readonly budgetWrites: number;
  readonly budgetConflicts: number;
}

/** Runs a worker until the queue is empty (or maxMessages); resolves with its shard runs. */
export async function runFleetWorker(spec: FleetWorkerSpec): Promise<ShardRun[]> {
  const dynamo = new DynamoDBClient({ ...DUMMY_AWS, endpoint: spec.dynamoEndpoint });
  const sqs = new SQSClient({ ...DUMMY_AWS, endpoint: spec.sqsEndpoint });
  const queue = new SqsShardQueue({ queueUrl: spec.queueUrl, client: sqs });
  const store = new DynamoDbCheckpointStore({ tableName: spec.table, client: dynamo });
  const budgetStore = new DynamoDbRateBudgetStore({ tableName: spec.table, client: dynamo });
  const sink = new JsonlFileSink({ path: spec.sinkPath });
  const api = new HttpXApi({
    baseUrl: spec.emulatorUrl,
    bearerToken: spec.token,
    responseTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
  });
  const clock = new SystemClock();
  const logger = new RecordingLogger();
  const options: RunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    maxTweets: 10_000_000,
    minIntervalMs: 0,
    timeBudgetMs: spec.timeBudgetMs,
    finalCommitReserveMs: 1_000,
    leaseTtlMs: spec.leaseTtlMs,
    retry: { baseDelayMs: 50, maxDelayMs: 2_000, maxAttempts: 6 },
  };
  const runs: ShardRun[] = [];
  let started = 0;
  let budget: { writes: number; conflicts: number } = { writes: 0, conflicts: 0 };
  try {
    await workQueue(
      queue,
      spec.streams,
      () => {
        started = Date.now();
        const shared = sharedLimiter(budgetStore, clock, options, spec.holder);
        budget = shared.budget;
        return {
          deps: {
            api,
            store,
            sink,
            clock,
            logger,
            metrics: new RecordingMetrics(),
            rateLimiter: shared.limiter,
          },
          options: { ...options, correlationId: `${spec.holder}-${runs.length}` },
          done: () => shared.budget.release(),
        };
      },
      {
        visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
        maxMessages: spec.maxMessages ?? 1_000,
        onShard: (result: ShardResult, received) => {
          runs.push({
            holder: spec.holder,
            ok: result.ok,
            shard: result.ok ? result.shard.shard : null,
            receiveCount: received.receiveCount,
            durationMs: Date.now() - started,
            outcomes: result.ok ? result.summary.streams.map((s) => s.outcome) : [],
            budgetWrites: budget.writes,
            budgetConflicts: budget.conflicts,
          });
        },
      },
      logger,
    );
  } finally {
    await sink.close();
    queue.close();
    dynamo.destroy();
  }
  return runs;
}
