/**
 * What one Lambda container keeps between invocations: the validated configuration, the SDK clients
 * (inside the store, sink and SSM provider) and the cached SSM values. Built lazily on the first
 * invocation; never imports the CLI's sqlite or file adapters.
 */
import { Logger as PtLogger } from '@aws-lambda-powertools/logger';
import type { LogLevel as PtLogLevel } from '@aws-lambda-powertools/logger/types';
import { type LambdaConfig, parseStreamsJson, readLambdaEnv } from '../../config/lambda-env.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { Sink } from '../../core/ports/sink.js';
import type { StreamSpec } from '../../core/stream.js';
import { type BearerTokenSource, EnvBearerTokenSource } from '../credentials/bearer-token.js';
import { SsmBearerTokenSource, SsmParameters } from '../credentials/ssm.js';
import { PowertoolsLogger, SERVICE_NAME } from '../observability/powertools-logger.js';
import { PowertoolsMetrics } from '../observability/powertools-metrics.js';
import { LambdaInvokeSink } from '../sinks/lambda.js';
import { reportDeadLetter, SqsSink } from '../sinks/sqs.js';
import { DynamoDbCheckpointStore } from '../stores/dynamodb.js';

export interface LambdaRuntime {
  readonly config: LambdaConfig;
  readonly logger: PowertoolsLogger;
  readonly metrics: PowertoolsMetrics;
  readonly store: CheckpointStore;
  readonly sink: Sink;
  readonly tokens: BearerTokenSource;
  /** The configured streams (inline, or the SSM parameter's value, cached like the token). */
  streams(): Promise<readonly StreamSpec[]>;
}

/** Builds the container's runtime from `env`. Throws ConfigError naming the first bad variable. */
export function createLambdaRuntime(env: Readonly<Record<string, string | undefined>>): LambdaRuntime {
  const config = readLambdaEnv(env);
  const logger = new PowertoolsLogger({
    logger: new PtLogger({
      serviceName: SERVICE_NAME,
      logLevel: config.logLevel.toUpperCase() as PtLogLevel,
    }),
  });
  const metrics = new PowertoolsMetrics();
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
        })
      : new SqsSink({ queueUrl: config.sink.queueUrl, onDeadLetter: reportDeadLetter(logger, metrics) });
  const store = new DynamoDbCheckpointStore({ tableName: config.tableName, logger });
  const source = config.streams;
  const streams = async (): Promise<readonly StreamSpec[]> =>
    source.kind === 'inline'
      ? source.streams
      : parseStreamsJson(await parameters.get(source.parameter, false), 'STREAMS_PARAMETER');
  return { config, logger, metrics, store, sink, tokens, streams };
}
