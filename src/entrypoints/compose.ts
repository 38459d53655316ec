/**
 * Builds the ports of an execution from a validated config. cli.ts (and lambda.ts) stay thin: they
 * parse, compose, call runExecution and report. AWS adapters are loaded with `import()` only when a
 * dynamodb store or a lambda/sqs sink is asked for, so the CLI never loads the AWS SDK otherwise.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { JsonLogger } from '../adapters/observability/json-logger.js';
import { ProgressLine, ProgressLogger } from '../adapters/observability/progress-logger.js';
import { SumMetrics } from '../adapters/observability/sum-metrics.js';
import { FailpointSink } from '../adapters/sinks/failpoint.js';
import { JsonlFileSink } from '../adapters/sinks/jsonl.js';
import { StdoutSink } from '../adapters/sinks/stdout.js';
import { MemoryCheckpointStore } from '../adapters/stores/memory.js';
import { SqliteCheckpointStore } from '../adapters/stores/sqlite.js';
import { SystemClock } from '../adapters/system-clock.js';
import { HttpXApi } from '../adapters/x-api/http-client.js';
import type { CheckpointLayout, InvocationType, PayloadFormat } from '../config/adoption.js';
import { DEFAULTS } from '../config/defaults.js';
import type { PollConfig, SinkLocation, StoreLocation } from '../config/types.js';
import type { CheckpointStore } from '../core/ports/checkpoint-store.js';
import { INVOCATION_METRICS, type Logger, type Metrics } from '../core/ports/observability.js';
import type { Sink } from '../core/ports/sink.js';
import type { SpendLedger } from '../core/ports/spend-ledger.js';
import { Failpoint, type RunDependencies, type RunOptions } from '../core/run-types.js';
import type { StreamSpec } from '../core/stream.js';
import { failpointFromEnv } from './failpoints.js';
import { openRateBudgetStore, type SharedLimiter, sharedLimiter } from './rate-budget.js';
import { openSpendLedger } from './spend-ledger.js';
import { openSqliteStore } from './sqlite-open.js';
import { USER_AGENT } from './user-agent.js';

/** The process streams compose writes to; injectable for tests. */
export interface ComposeIo {
  /** Logs (and the TTY progress line). @default process.stderr */
  readonly stderr?: Writable & { isTTY?: boolean };
  /** Posts, for `--sink jsonl:-`. @default process.stdout */
  readonly stdout?: Writable;
  /** Show the one-line progress on stderr. @default stderr.isTTY and config.progress (not --quiet, TERM=dumb or CI) */
  readonly progress?: boolean;
}

/** Everything an execution needs, and how to let go of it. */
export interface Composition {
  readonly deps: RunDependencies;
  readonly streams: readonly StreamSpec[];
  /** The run options, with this execution's correlation id. */
  readonly options: RunOptions;
  /** The logger every event goes through (already redacting the bearer token). */
  readonly logger: Logger;
  /** The summed metrics of this process, for the `execution_end` line. */
  readonly metrics: SumMetrics;
  /** Closes the sink, then the store; never throws twice for one call. */
  close(): Promise<void>;
}

/** How openStore opens a store. */
export interface OpenStoreOptions {
  /** Test-only crash hook inside checkpoint writes. @default none */
  readonly onWrite?: () => void;
  /** `status`: open an existing SQLite file read-only, create nothing. @default false */
  readonly readOnly?: boolean;
  /** Where to say that a store was created or an old default location is in use. @default silent */
  readonly notice?: (text: string) => void;
  /** DynamoDB: the key and legacy since_id attributes. @default stream, since_id */
  readonly layout?: CheckpointLayout | undefined;
  /** DynamoDB: logs adoptions (`checkpoint_migrated`). @default no logging */
  readonly logger?: Logger;
}

/** Opens the checkpoint store a `--store` location names. */
export async function openStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<CheckpointStore> {
  const { onWrite, readOnly, notice } = options;
  switch (location.kind) {
    case 'sqlite': {
      if (location.origin === 'legacy-default') {
        notice?.(
          `using the checkpoint store ${resolve(location.path)} found in the working directory (the old default location; the default is now $XDG_STATE_HOME/twitter-poller/state.db, else ~/.local/state/twitter-poller/state.db; pass --store to choose)`,
        );
      }
      const store = openSqliteStore(
        location.path,
        () =>
          new SqliteCheckpointStore({
            path: location.path,
            ...(onWrite ? { onWrite } : {}),
            ...(readOnly ? { readOnly } : {}),
          }),
      );
      if (store.created) notice?.(`created a new checkpoint store at ${resolve(location.path)}`);
      return store;
    }
    case 'memory':
      return new MemoryCheckpointStore();
    case 'dynamodb': {
      const { DynamoDbCheckpointStore } = await import('../adapters/stores/dynamodb.js');
      return new DynamoDbCheckpointStore({
        tableName: location.table,
        ...(onWrite ? { onWrite } : {}),
        ...(options.layout ? { layout: options.layout } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    }
  }
}

/** Opens the sink a `--sink` location names; `lambda` takes the payload format and Invoke type. */
export async function openSink(
  location: SinkLocation,
  stdout: Writable = process.stdout,
  observe?: { readonly logger: Logger; readonly metrics: Metrics },
  lambda: {
    readonly payloadFormat?: PayloadFormat | undefined;
    readonly invocationType?: InvocationType | undefined;
  } = {},
): Promise<Sink> {
  switch (location.kind) {
    case 'jsonl':
      return new JsonlFileSink({ path: location.path });
    case 'stdout':
      return new StdoutSink({ stream: stdout });
    case 'lambda': {
      const { LambdaInvokeSink } = await import('../adapters/sinks/lambda.js');
      return new LambdaInvokeSink({
        functionName: location.functionName,
        ...(lambda.payloadFormat ? { payloadFormat: lambda.payloadFormat } : {}),
        ...(lambda.invocationType ? { invocationType: lambda.invocationType } : {}),
      });
    }
    case 'sqs': {
      const { SqsSink, reportDeadLetter } = await import('../adapters/sinks/sqs.js');
      return new SqsSink({
        queueUrl: location.queueUrl,
        ...(observe ? { onDeadLetter: reportDeadLetter(observe.logger, observe.metrics) } : {}),
      });
    }
  }
}

/** Builds every port of a `poll`. The caller must `close()` the result. */
export async function composePoll(config: PollConfig, io: ComposeIo = {}): Promise<Composition> {
  const stderr = io.stderr ?? process.stderr;
  const correlationId = config.run.correlationId ?? randomUUID();
  const json = new JsonLogger({ stream: stderr, level: config.logLevel, secrets: [config.bearerToken] });
  const progress = io.progress ?? (stderr.isTTY === true && config.progress !== false);
  // The progress line counts the run's typed events; the logger only clears and redraws it.
  const line = progress ? new ProgressLine(stderr) : undefined;
  const logger: Logger = line ? new ProgressLogger(json, line) : json;
  const metrics = new SumMetrics({ alwaysReport: INVOCATION_METRICS });
  // Test-only crash switch (TWITTER_POLLER_FAILPOINT, see failpoints.ts); undefined in production.
  const failpoint = failpointFromEnv();
  const store = await openStore(config.store, {
    ...(failpoint ? { onWrite: () => failpoint(Failpoint.duringCheckpointWrite) } : {}),
    layout: config.dynamodbLayout,
    logger: logger.child({ correlation_id: correlationId }),
    notice: (text) => stderr.write(`twitter-poller: ${text}\n`),
  });
  let sink: Sink;
  try {
    sink = await openSink(
      config.sink,
      io.stdout,
      { logger, metrics },
      { payloadFormat: config.payloadFormat, invocationType: config.invocationType },
    );
    if (failpoint) sink = new FailpointSink(sink, failpoint);
  } catch (error) {
    await store.close();
    throw error;
  }
  let spendLedger: SpendLedger;
  try {
    spendLedger = await openSpendLedger(config.store, { keyAttribute: config.dynamodbLayout?.keyAttribute });
  } catch (error) {
    await sink.close().catch(() => undefined);
    await store.close();
    throw error;
  }
  const api = new HttpXApi({
    baseUrl: config.apiBaseUrl,
    bearerToken: config.bearerToken,
    userAgent: USER_AGENT,
    responseTimeoutMs: DEFAULTS.responseTimeoutMs,
    bodyTimeoutMs: DEFAULTS.bodyTimeoutMs,
    ...(config.proxy === undefined ? {} : { proxy: config.proxy }),
  });
  const clock = new SystemClock();
  // The app-wide rate budget lives next to the checkpoints (docs/architecture.md).
  let shared: SharedLimiter | undefined;
  if (config.rateBudget === 'shared') {
    try {
      shared = sharedLimiter(
        await openRateBudgetStore(config.store, { keyAttribute: config.dynamodbLayout?.keyAttribute }),
        clock,
        config.run,
      );
    } catch (error) {
      await spendLedger.close().catch(() => undefined);
      await sink.close().finally(() => store.close());
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    deps: {
      api,
      store,
      sink,
      clock,
      logger,
      metrics,
      spendLedger,
      ...(shared ? { rateLimiter: shared.limiter } : {}),
      ...(failpoint ? { failpoint } : {}),
      ...(line ? { observer: line } : {}),
    },
    streams: config.streams,
    options: { ...config.run, correlationId },
    logger,
    metrics,
    close() {
      closing ??= (async () => {
        try {
          await shared?.close();
        } finally {
          try {
            await sink.close();
          } finally {
            await spendLedger.close().catch(() => undefined);
            await store.close();
            line?.clear();
          }
        }
      })();
      return closing;
    },
  };
}
