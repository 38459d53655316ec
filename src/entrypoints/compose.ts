/**
 * Builds the ports of an execution from a validated config. cli.ts (and lambda.ts) stay thin: they
 * parse, compose, call runExecution and report. AWS adapters are loaded with `import()` only when a
 * dynamodb store or a lambda/sqs sink is asked for, so the CLI never loads the AWS SDK otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { JsonLogger } from '../adapters/observability/json-logger.js';
import { ProgressLogger } from '../adapters/observability/progress-logger.js';
import { SumMetrics } from '../adapters/observability/sum-metrics.js';
import { FailpointSink } from '../adapters/sinks/failpoint.js';
import { JsonlFileSink } from '../adapters/sinks/jsonl.js';
import { StdoutSink } from '../adapters/sinks/stdout.js';
import { MemoryCheckpointStore } from '../adapters/stores/memory.js';
import { SqliteCheckpointStore } from '../adapters/stores/sqlite.js';
import { SystemClock } from '../adapters/system-clock.js';
import { HttpXApi } from '../adapters/x-api/http-client.js';
import type { PollConfig, SinkLocation, StoreLocation } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import type { CheckpointStore } from '../core/ports/checkpoint-store.js';
import type { Logger, Metrics } from '../core/ports/observability.js';
import type { Sink } from '../core/ports/sink.js';
import { Failpoint, type RunDependencies, type RunOptions } from '../core/run-types.js';
import type { StreamSpec } from '../core/stream.js';
import { failpointFromEnv } from './failpoints.js';
import { openRateBudgetStore, type SharedLimiter, sharedLimiter } from './rate-budget.js';

/** The process streams compose writes to; injectable for tests. */
export interface ComposeIo {
  /** Logs (and the TTY progress line). @default process.stderr */
  readonly stderr?: Writable & { isTTY?: boolean };
  /** Posts, for `--sink jsonl:-`. @default process.stdout */
  readonly stdout?: Writable;
  /** Show the one-line progress on stderr. @default stderr.isTTY */
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

/** Opens the checkpoint store a `--store` location names. */
export async function openStore(location: StoreLocation, onWrite?: () => void): Promise<CheckpointStore> {
  switch (location.kind) {
    case 'sqlite':
      try {
        return new SqliteCheckpointStore({ path: location.path, ...(onWrite ? { onWrite } : {}) });
      } catch (cause) {
        if (cause instanceof ConfigError) throw cause;
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new ConfigError(`invalid --store: cannot open ${location.path}: ${why}`, '--store', { cause });
      }
    case 'memory':
      return new MemoryCheckpointStore();
    case 'dynamodb': {
      const { DynamoDbCheckpointStore } = await import('../adapters/stores/dynamodb.js');
      return new DynamoDbCheckpointStore({ tableName: location.table, ...(onWrite ? { onWrite } : {}) });
    }
  }
}

/** Opens the sink a `--sink` location names. */
export async function openSink(
  location: SinkLocation,
  stdout: Writable = process.stdout,
  observe?: { readonly logger: Logger; readonly metrics: Metrics },
): Promise<Sink> {
  switch (location.kind) {
    case 'jsonl':
      return new JsonlFileSink({ path: location.path });
    case 'stdout':
      return new StdoutSink({ stream: stdout });
    case 'lambda': {
      const { LambdaInvokeSink } = await import('../adapters/sinks/lambda.js');
      return new LambdaInvokeSink({ functionName: location.functionName });
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
  const logger: Logger = (io.progress ?? stderr.isTTY === true) ? new ProgressLogger(json, stderr) : json;
  const metrics = new SumMetrics();
  // Test-only crash switch (TWITTER_POLLER_FAILPOINT, see failpoints.ts); undefined in production.
  const failpoint = failpointFromEnv();
  const store = await openStore(
    config.store,
    failpoint && (() => failpoint(Failpoint.duringCheckpointWrite)),
  );
  let sink: Sink;
  try {
    sink = await openSink(config.sink, io.stdout, { logger, metrics });
    if (failpoint) sink = new FailpointSink(sink, failpoint);
  } catch (error) {
    await store.close();
    throw error;
  }
  const api = new HttpXApi({ baseUrl: config.apiBaseUrl, bearerToken: config.bearerToken });
  const clock = new SystemClock();
  // The app-wide rate budget lives next to the checkpoints (docs/architecture.md).
  let shared: SharedLimiter | undefined;
  if (config.rateBudget === 'shared') {
    try {
      shared = sharedLimiter(await openRateBudgetStore(config.store), clock, config.run);
    } catch (error) {
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
      ...(shared ? { rateLimiter: shared.limiter } : {}),
      ...(failpoint ? { failpoint } : {}),
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
            await store.close();
            if (logger instanceof ProgressLogger) logger.finish();
          }
        }
      })();
      return closing;
    },
  };
}
