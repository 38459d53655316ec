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
import type { LambdaContext } from '../adapters/observability/lambda-context.js';
import { ConfigError, PollerError } from '../core/errors.js';
import { LogEvent, MetricName } from '../core/ports/observability.js';
import { redactSecrets, redactValue } from '../core/redaction.js';
import { runExecution } from '../core/run.js';
import type { RunSummary } from '../core/run-types.js';
import {
  createLambdaContainer,
  type LambdaContainer,
  recordRunHistory,
  startInvocation,
} from './lambda-setup.js';

/** Thrown when an invocation could save no progress at all. */
export class ExecutionFailedError extends PollerError {
  override readonly name = 'ExecutionFailedError';
  override readonly code = 'execution_failed';
}

let runtime: LambdaContainer | undefined;
let initError: unknown;
try {
  runtime = createLambdaContainer(process.env);
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

/** The container's runtime; a configuration error is thrown again on every invocation until fixed. */
function containerRuntime(): LambdaContainer {
  if (runtime === undefined) throw initError;
  return runtime;
}

export const handler = async (_event: unknown, context: LambdaContext): Promise<RunSummary> => {
  const rt = containerRuntime();
  const startedMs = Date.now();
  rt.logger.addContext(context);
  const correlationId = context.awsRequestId;
  // Lines of the container's logger (the store's checkpoint_migrated, setup errors) carry it too.
  rt.logger.appendKeys({ correlation_id: correlationId });
  let token: string;
  let streams: Awaited<ReturnType<LambdaContainer['streams']>>;
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
  const invocation = startInvocation(rt, context, { token, logger, correlationId });
  let summary: RunSummary;
  try {
    summary = await runExecution(invocation.deps, streams, invocation.options, invocation.signal);
  } finally {
    invocation.end();
  }
  await recordRunHistory(rt, redactValue(summary, [token]));
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
