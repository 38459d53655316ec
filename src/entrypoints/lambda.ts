/**
 * AWS Lambda entry point (bundled as build/lambda/lambda.mjs, handler `lambda.handler`). Thin: the
 * container's runtime (config, clients, caches) is built once, as the module loads; each invocation fetches the
 * token (cached), sizes its time budget from the context, and runs the same runExecution as the CLI.
 *
 * A failed stream does not stop the others and the summary is returned; the invocation throws (so
 * the on-failure destination and the Errors metric see it) only when no progress could be saved:
 * the token or streams could not be read, or every stream failed.
 *
 * The configuration is read when the module loads (Lambda's init phase): inside the Lambda runtime a
 * bad variable ends the process with exit code 2 after one JSON line naming it, so the deployment
 * fails at cold start (Runtime.ExitError) instead of at the first schedule. Elsewhere (tests, local
 * runs) the error is thrown again by every invocation until fixed.
 */
import { createLambdaRuntime, type LambdaRuntime } from '../adapters/aws/lambda-runtime.js';
import type { LambdaContext } from '../adapters/observability/lambda-context.js';
import { DynamoDbRunHistory } from '../adapters/stores/run-history-dynamodb.js';
import { SystemClock } from '../adapters/system-clock.js';
import { HttpXApi } from '../adapters/x-api/http-client.js';
import { ConfigError, DeadlineError, PollerError } from '../core/errors.js';
import { LogEvent, MetricName } from '../core/ports/observability.js';
import type { RunHistoryStore } from '../core/ports/run-history.js';
import { redactSecrets, redactValue } from '../core/redaction.js';
import { runExecution } from '../core/run.js';
import { spendExtras, toRunRecord } from '../core/run-history.js';
import { DEFAULT_RUN_OPTIONS, type RunSummary } from '../core/run-types.js';
import { invocationTimes } from './invocation-time.js';
import { USER_AGENT } from './user-agent.js';

/** Thrown when an invocation could save no progress at all. */
export class ExecutionFailedError extends PollerError {
  override readonly name = 'ExecutionFailedError';
  override readonly code = 'execution_failed';
}

let runtime: LambdaRuntime | undefined;
let initError: unknown;
try {
  runtime = createLambdaRuntime(process.env);
} catch (error) {
  initError = error;
  if (error instanceof ConfigError && process.env.AWS_LAMBDA_RUNTIME_API !== undefined) {
    // No Powertools logger without a valid configuration: one plain JSON line, then exit 2.
    process.stdout.write(
      `${JSON.stringify({ level: 'ERROR', event: 'error', during: 'init', code: error.code, setting: error.setting, reason: error.message })}\n`,
    );
    process.exit(2);
  }
}

let history: RunHistoryStore | undefined;

/** Records the run in the table's history (items with a 90-day TTL); a failure is logged, never thrown. */
async function recordHistory(rt: LambdaRuntime, summary: RunSummary): Promise<void> {
  try {
    // A static import: a dynamic one would wrap the SDK's modules lazily and stop esbuild from
    // tree-shaking them (+47 KB of @aws-sdk/client-dynamodb in build/lambda/lambda.mjs, measured).
    history ??= new DynamoDbRunHistory({
      tableName: rt.config.tableName,
      keyAttribute: rt.config.layout.keyAttribute,
    });
    await history.record(toRunRecord(summary, Date.now(), spendExtras(summary, rt.config.spend)));
  } catch (error) {
    rt.logger.log('warn', LogEvent.error, {
      correlation_id: summary.correlation_id,
      during: 'history',
      error,
    });
  }
}

/** The container's runtime; a configuration error is thrown again on every invocation until fixed. */
function containerRuntime(): LambdaRuntime {
  if (runtime === undefined) throw initError;
  return runtime;
}

export const handler = async (_event: unknown, context: LambdaContext): Promise<RunSummary> => {
  const rt = containerRuntime();
  const { config } = rt;
  const startedMs = Date.now();
  rt.logger.addContext(context);
  const correlationId = context.awsRequestId;
  // Lines of the container's logger (the store's checkpoint_migrated, setup errors) carry it too.
  rt.logger.appendKeys({ correlation_id: correlationId });
  let token: string;
  let streams: Awaited<ReturnType<LambdaRuntime['streams']>>;
  try {
    token = await rt.tokens.token();
    streams = await rt.streams();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = error instanceof PollerError ? error.code : 'internal';
    rt.logger.log('error', LogEvent.error, { during: 'setup', code, reason, error });
    rt.metrics.add(MetricName.errorsEncountered, 1, 'Count');
    rt.metrics.add(MetricName.executionDurationSeconds, (Date.now() - startedMs) / 1000, 'Seconds');
    rt.metrics.flush();
    throw error;
  }
  const logger = rt.logger.withSecrets([token]).child({ correlation_id: correlationId });
  const remainingMs = context.getRemainingTimeInMillis();
  const { timeBudgetMs, hardStopMs } = invocationTimes(remainingMs, config.stopBeforeTimeoutMs);
  const controller = new AbortController();
  const hardStop = setTimeout(
    () => controller.abort(new DeadlineError('invocation is about to time out')),
    hardStopMs,
  );
  let summary: RunSummary;
  try {
    summary = await runExecution(
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
        clock: new SystemClock(),
        logger,
        metrics: rt.metrics,
      },
      streams,
      {
        ...DEFAULT_RUN_OPTIONS,
        maxTweets: config.maxTweets,
        timeBudgetMs,
        batchSize: config.batchSize,
        minIntervalMs: config.minIntervalMs,
        leaseTtlMs: config.leaseTtlMs,
        concurrency: config.concurrency,
        spend: config.spend,
        correlationId,
      },
      controller.signal,
    );
  } finally {
    clearTimeout(hardStop);
    rt.metrics.flush();
  }
  await recordHistory(rt, redactValue(summary, [token]));
  const failed = summary.streams.filter((s) => s.outcome === 'failed');
  // A 401 may mean the token was rotated: the next invocation reads it afresh.
  if (failed.length > 0) rt.tokens.invalidate();
  if (streams.length > 0 && failed.length === streams.length) {
    // Lambda logs this error itself and sends it to the on-failure destination: redacted like the logs.
    throw new ExecutionFailedError(
      redactSecrets(
        `every stream failed: ${failed.map((s) => `${s.stream}: ${s.error ?? 'unknown error'}`).join('; ')}`,
        [token],
      ),
    );
  }
  return redactValue(summary, [token]);
};

// The fan-out's handlers (FanoutMode=sqs) are a bundle of their own: build/lambda/fleet.mjs
// (lambda-fleet.ts, handlers `fleet.planner` and `fleet.worker`), so this one stays small.
