/**
 * The Lambda handlers' shared setup (lambda.ts, lambda-fleet.ts): what one container keeps between
 * invocations (the validated configuration, the SDK clients inside the store, sink and SSM
 * provider, the cached SSM values) and what each invocation adds (the token's API client, the run
 * options cut to the time left, a hard stop). Never imports the CLI's sqlite or file adapters.
 */
import { Logger as PtLogger } from '@aws-lambda-powertools/logger';
import type { LogLevel as PtLogLevel } from '@aws-lambda-powertools/logger/types';
import { type BearerTokenSource, EnvBearerTokenSource } from '../adapters/credentials/bearer-token.js';
import { SsmBearerTokenSource, SsmParameters } from '../adapters/credentials/ssm.js';
import { PowertoolsLogger, SERVICE_NAME } from '../adapters/observability/powertools-logger.js';
import { PowertoolsMetrics } from '../adapters/observability/powertools-metrics.js';
import { LambdaInvokeSink } from '../adapters/sinks/lambda.js';
import { reportDeadLetter, SqsSink } from '../adapters/sinks/sqs.js';
import { DynamoDbCheckpointStore } from '../adapters/stores/dynamodb.js';
import { DynamoDbSpendLedger } from '../adapters/stores/dynamodb-spend-ledger.js';
import { DynamoDbRunHistory } from '../adapters/stores/run-history-dynamodb.js';
import { SystemClock } from '../adapters/system-clock.js';
import { HttpXApi } from '../adapters/x-api/http-client.js';
import { DEFAULTS } from '../config/defaults.js';
import { type LambdaConfig, parseStreamsJson, readLambdaEnv } from '../config/lambda-env.js';
import { DeadlineError } from '../core/errors.js';
import type { CheckpointStore } from '../core/ports/checkpoint-store.js';
import { INVOCATION_METRICS, LogEvent, type Logger } from '../core/ports/observability.js';
import type { RunHistoryStore } from '../core/ports/run-history.js';
import type { Sink } from '../core/ports/sink.js';
import type { SpendLedger } from '../core/ports/spend-ledger.js';
import { spendExtras, toRunRecord } from '../core/run-history.js';
import type { RunDependencies, RunOptions, RunSummary } from '../core/run-types.js';
import type { StreamSpec } from '../core/stream.js';
import { invocationTimes } from './invocation-time.js';
import { USER_AGENT } from './user-agent.js';

/** What one Lambda container keeps between invocations. */
export interface LambdaContainer {
  readonly config: LambdaConfig;
  readonly logger: PowertoolsLogger;
  readonly metrics: PowertoolsMetrics;
  readonly store: CheckpointStore;
  /** Issue 12: daily spend totals and the credits flag, in the checkpoint table. */
  readonly spendLedger: SpendLedger;
  readonly sink: Sink;
  readonly tokens: BearerTokenSource;
  /** The configured streams (inline, or the SSM parameter's value, cached like the token). */
  streams(): Promise<readonly StreamSpec[]>;
}

/** Builds the container from `env`. Throws ConfigError naming the first bad variable. */
export function createLambdaContainer(env: Readonly<Record<string, string | undefined>>): LambdaContainer {
  const config = readLambdaEnv(env);
  const logger = new PowertoolsLogger({
    logger: new PtLogger({
      serviceName: SERVICE_NAME,
      logLevel: config.logLevel.toUpperCase() as PtLogLevel,
    }),
  });
  const metrics = new PowertoolsMetrics({ alwaysEmit: INVOCATION_METRICS });
  const parameters = new SsmParameters({ maxAgeSeconds: config.parameterMaxAgeSeconds });
  const tokens: BearerTokenSource =
    config.token.kind === 'env'
      ? new EnvBearerTokenSource(config.token.value)
      : new SsmBearerTokenSource(config.token.parameter, parameters);
  const sink: Sink =
    config.sink.kind === 'lambda'
      ? new LambdaInvokeSink({
          functionName: config.sink.functionName,
          maxPayloadBytes: config.payloadLimitBytes,
          payloadFormat: config.payloadFormat,
          invocationType: config.invocationType,
        })
      : new SqsSink({ queueUrl: config.sink.queueUrl, onDeadLetter: reportDeadLetter(logger, metrics) });
  // The handler appends each invocation's correlation_id to this logger, so adoption lines carry it.
  const store = new DynamoDbCheckpointStore({ tableName: config.tableName, layout: config.layout, logger });
  const spendLedger = new DynamoDbSpendLedger({
    tableName: config.tableName,
    keyAttribute: config.layout.keyAttribute,
  });
  const source = config.streams;
  const streams = async (): Promise<readonly StreamSpec[]> =>
    source.kind === 'inline'
      ? source.streams
      : parseStreamsJson(await parameters.get(source.parameter, false), 'STREAMS_PARAMETER');
  return { config, logger, metrics, store, spendLedger, sink, tokens, streams };
}

/** The part of the Lambda context an invocation reads. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** One run inside an invocation: runExecution's ports, options and signal. */
export interface Invocation {
  readonly deps: RunDependencies;
  readonly options: RunOptions;
  /** Aborted halfway into the stop-before-timeout margin, should anything ignore the time budget. */
  readonly signal: AbortSignal;
  /** Clears the hard stop and flushes the metrics; call it once the run has ended. */
  end(): void;
}

/**
 * Starts one run of an invocation: the container's ports plus an API client for `token`, the
 * configured run options with the time budget cut to what the invocation has left less
 * SAFETY_MARGIN_MS, and a hard stop halfway into that margin (invocation-time.ts).
 */
export function startInvocation(
  container: LambdaContainer,
  context: InvocationClock,
  run: { readonly token: string; readonly logger: Logger; readonly correlationId: string },
): Invocation {
  const { config } = container;
  const { timeBudgetMs, hardStopMs } = invocationTimes(
    context.getRemainingTimeInMillis(),
    config.stopBeforeTimeoutMs,
  );
  const controller = new AbortController();
  const hardStop = setTimeout(
    () => controller.abort(new DeadlineError('invocation is about to time out')),
    hardStopMs,
  );
  return {
    deps: {
      api: new HttpXApi({
        bearerToken: run.token,
        baseUrl: config.apiBaseUrl,
        userAgent: USER_AGENT,
        proxy: config.proxy,
        responseTimeoutMs: DEFAULTS.responseTimeoutMs,
        bodyTimeoutMs: DEFAULTS.bodyTimeoutMs,
      }),
      store: container.store,
      spendLedger: container.spendLedger,
      sink: container.sink,
      clock: new SystemClock(),
      logger: run.logger,
      metrics: container.metrics,
    },
    options: {
      ...config.run,
      timeBudgetMs,
      correlationId: run.correlationId,
    },
    signal: controller.signal,
    end() {
      clearTimeout(hardStop);
      container.metrics.flush();
    },
  };
}

let history: RunHistoryStore | undefined;

/**
 * Records a run (the single function's invocation, or a fan-out worker's shard) in the table's
 * history (items with a 90-day TTL), under the configured key attribute, so that `status` and
 * `report` see it. `summary` must already be redacted. A failure is logged, never thrown: the posts
 * and checkpoints are already safe.
 */
export async function recordRunHistory(
  rt: LambdaContainer,
  summary: RunSummary,
  logger: Logger = rt.logger,
): Promise<void> {
  try {
    // A static import: a dynamic one would wrap the SDK's modules lazily and stop esbuild from
    // tree-shaking them (+47 KB of @aws-sdk/client-dynamodb in build/lambda/lambda.mjs, measured).
    history ??= new DynamoDbRunHistory({
      tableName: rt.config.tableName,
      keyAttribute: rt.config.layout.keyAttribute,
    });
    await history.record(toRunRecord(summary, Date.now(), spendExtras(summary, rt.config.run.spend)));
  } catch (error) {
    logger.log('warn', LogEvent.error, { correlation_id: summary.correlation_id, during: 'history', error });
  }
}
