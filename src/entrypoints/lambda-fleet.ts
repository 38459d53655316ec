/**
 * The fan-out's Lambda handlers, bundled on their own as build/lambda/fleet.mjs (handlers
 * `fleet.planner` and `fleet.worker`; infra/template.yaml, FanoutMode=sqs), so that the
 * single-function bundle (lambda.mjs) does not carry them. The planner runs on the schedule and sends one SQS message
 * per shard; the SQS event source hands each worker one shard (BatchSize 1, at most
 * WorkerConcurrency at once) and redelivers the ones reported in `batchItemFailures` or whose
 * worker died. Each shard's run is recorded in the run history, as the single function records its
 * run. Both share the container runtime of the single-function handler.
 */
import { SqsShardSender } from '../adapters/aws/shard-sender.js';
import type { LambdaContext } from '../adapters/observability/lambda-context.js';
import { DynamoDbRateBudgetStore } from '../adapters/stores/dynamodb-rate-budget.js';
import { type FanoutEnv, readFanoutEnv } from '../config/fanout.js';
import { ConfigError } from '../core/errors.js';
import { LogEvent } from '../core/ports/observability.js';
import { redactValue } from '../core/redaction.js';
import { planWave, runShard, type WavePlan } from './fleet.js';
import {
  createLambdaContainer,
  type LambdaContainer,
  recordRunHistory,
  startInvocation,
} from './lambda-setup.js';
import { sharedLimiter } from './shared-limiter.js';

interface FleetRuntime {
  readonly rt: LambdaContainer;
  readonly fanout: FanoutEnv;
  readonly budgets: DynamoDbRateBudgetStore;
}

let fleet: FleetRuntime | undefined;

function fleetRuntime(): FleetRuntime {
  if (fleet === undefined) {
    const rt = createLambdaContainer(process.env);
    const fanout = readFanoutEnv(process.env, {
      stopBeforeTimeoutMs: rt.config.stopBeforeTimeoutMs,
      minIntervalMs: rt.config.run.minIntervalMs,
    });
    const budgets = new DynamoDbRateBudgetStore({
      tableName: rt.config.tableName,
      keyAttribute: rt.config.layout.keyAttribute,
    });
    fleet = { rt, fanout, budgets };
  }
  return fleet;
}

/** The planner: every configured stream, most behind (fair_lag) first, in shards on the queue. */
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
  rt.logger.addContext(context);
  const token = await rt.tokens.token();
  const streams = await rt.streams();
  const logger = rt.logger.withSecrets([token]).child({ correlation_id: context.awsRequestId });
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const invocation = startInvocation(rt, context, {
      token,
      logger,
      correlationId: `${context.awsRequestId}:${record.messageId}`,
    });
    const { deps, options } = invocation;
    const shared = sharedLimiter(budgets, deps.clock, options, `lambda:${context.awsRequestId}`);
    try {
      const result = await runShard(
        record.body,
        streams,
        { ...deps, rateLimiter: shared.limiter },
        options,
        invocation.signal,
      );
      if (result.summary !== undefined) {
        await recordRunHistory(rt, redactValue(result.summary, [token]), logger);
      }
      if (!result.ok) {
        logger.log('warn', LogEvent.error, {
          during: 'shard',
          message_id: record.messageId,
          reason: result.reason,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    } finally {
      await shared.budget.release().catch(() => {});
      invocation.end();
    }
  }
  return { batchItemFailures: failures };
};
