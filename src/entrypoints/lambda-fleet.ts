/**
 * The fan-out's Lambda handlers, bundled on their own as build/lambda/fleet.mjs (handlers
 * `fleet.planner` and `fleet.worker`; infra/template.yaml, FanoutMode=sqs), so that the
 * single-function bundle (lambda.mjs) does not carry them. The planner runs on the schedule and sends one SQS message
 * per shard; the SQS event source hands each worker one shard (BatchSize 1, at most
 * WorkerConcurrency at once) and redelivers the ones reported in `batchItemFailures` or whose
 * worker died. Both share the container runtime of the single-function handler.
 */
import { createLambdaRuntime, type LambdaRuntime } from '../adapters/aws/lambda-runtime.js';
import { SqsShardSender } from '../adapters/aws/shard-sender.js';
import type { LambdaContext } from '../adapters/observability/lambda-context.js';
import { DynamoDbRateBudgetStore } from '../adapters/stores/dynamodb-rate-budget.js';
import { SystemClock } from '../adapters/system-clock.js';
import { HttpXApi } from '../adapters/x-api/http-client.js';
import { type FanoutEnv, readFanoutEnv } from '../config/fanout.js';
import { ConfigError, DeadlineError } from '../core/errors.js';
import { LogEvent } from '../core/ports/observability.js';
import { DEFAULT_RUN_OPTIONS } from '../core/run-types.js';
import { planWave, runShard, type WavePlan } from './fleet.js';
import { invocationTimes } from './invocation-time.js';
import { sharedLimiter } from './shared-limiter.js';
import { USER_AGENT } from './user-agent.js';

interface FleetRuntime {
  readonly rt: LambdaRuntime;
  readonly fanout: FanoutEnv;
  readonly budgets: DynamoDbRateBudgetStore;
}

let fleet: FleetRuntime | undefined;

function fleetRuntime(): FleetRuntime {
  if (fleet === undefined) {
    const rt = createLambdaRuntime(process.env);
    const fanout = readFanoutEnv(process.env, rt.config);
    const budgets = new DynamoDbRateBudgetStore({
      tableName: rt.config.tableName,
      keyAttribute: rt.config.layout.keyAttribute,
    });
    fleet = { rt, fanout, budgets };
  }
  return fleet;
}

/** The planner: every configured stream, least recently written first, in shards on the queue. */
export const planner = async (_event: unknown, context: LambdaContext): Promise<WavePlan> => {
  const { rt, fanout } = fleetRuntime();
  if (fanout.queueUrl === undefined) {
    throw new ConfigError(
      'invalid environment variable FANOUT_QUEUE_URL: the planner needs the shard queue',
      'FANOUT_QUEUE_URL',
    );
  }
  rt.logger.addContext(context);
  const queue = new SqsShardSender({ queueUrl: fanout.queueUrl });
  try {
    const plan = await planWave(await rt.streams(), rt.store, queue, fanout.shardSize, context.awsRequestId);
    rt.logger.log('info', 'wave_planned', { ...plan });
    return plan;
  } finally {
    queue.close();
  }
};

/** An SQS event as the event source mapping delivers it (the fields the worker reads). */
export interface ShardEvent {
  readonly Records: readonly { readonly messageId: string; readonly body: string }[];
}

/** The worker: runs each shard of the event; failed shards are reported for redelivery. */
export const worker = async (
  event: ShardEvent,
  context: LambdaContext,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
  const { rt, budgets } = fleetRuntime();
  const { config } = rt;
  rt.logger.addContext(context);
  const token = await rt.tokens.token();
  const streams = await rt.streams();
  const logger = rt.logger.withSecrets([token]).child({ correlation_id: context.awsRequestId });
  const clock = new SystemClock();
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const { timeBudgetMs, hardStopMs } = invocationTimes(
      context.getRemainingTimeInMillis(),
      config.stopBeforeTimeoutMs,
    );
    const controller = new AbortController();
    const hardStop = setTimeout(
      () => controller.abort(new DeadlineError('invocation is about to time out')),
      hardStopMs,
    );
    const options = {
      ...DEFAULT_RUN_OPTIONS,
      maxTweets: config.maxTweets,
      timeBudgetMs,
      batchSize: config.batchSize,
      minIntervalMs: config.minIntervalMs,
      leaseTtlMs: config.leaseTtlMs,
      concurrency: config.concurrency,
      spend: config.spend,
      correlationId: `${context.awsRequestId}:${record.messageId}`,
    };
    const shared = sharedLimiter(budgets, clock, options, `lambda:${context.awsRequestId}`);
    try {
      const result = await runShard(
        record.body,
        streams,
        {
          api: new HttpXApi({
            bearerToken: token,
            baseUrl: config.apiBaseUrl,
            userAgent: USER_AGENT,
            proxy: config.proxy,
          }),
          store: rt.store,
          spendLedger: rt.spendLedger,
          sink: rt.sink,
          clock,
          logger,
          metrics: rt.metrics,
          rateLimiter: shared.limiter,
        },
        options,
        controller.signal,
      );
      if (!result.ok) {
        logger.log('warn', LogEvent.error, {
          during: 'shard',
          message_id: record.messageId,
          reason: result.reason,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    } finally {
      clearTimeout(hardStop);
      await shared.budget.release().catch(() => {});
      rt.metrics.flush();
    }
  }
  return { batchItemFailures: failures };
};
