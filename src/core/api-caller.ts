/**
 * One paced, retried API call with its logs and metrics: RateLimiter.beforeRequest, XApi.get, record
 * the rate-limit headers (of failures too), retry what classifyError allows.
 */
import { ApiError, CreditsDepletedError, DeadlineError, RateLimitExceededError } from './errors.js';
import { LogEvent, type Logger, MetricName } from './ports/observability.js';
import type { RunEvent } from './ports/run-events.js';
import type { ApiRequest, ApiResponse, RateLimitSnapshot } from './ports/x-api.js';
import { bucketKey } from './rate-limiter.js';
import { withRetry } from './retry.js';
import type { RunContext } from './run-context.js';
import type { RequestTally } from './stream-activity.js';

/** Whatever keeps the caller's leases alive through a wait of `forMs` (a LeaseKeeper, a session). */
export interface LeaseGuard {
  ensure(forMs?: number): Promise<void>;
}

/** The `request` event of an answer or a failure. */
function requestEvent(endpoint: string, status: number | undefined, rateLimit?: RateLimitSnapshot): RunEvent {
  return {
    type: 'request',
    endpoint,
    ...(status === undefined ? {} : { status }),
    ...(rateLimit === undefined
      ? {}
      : { rateLimit: { remaining: rateLimit.remaining, limit: rateLimit.limit } }),
  };
}

function errorCode(err: unknown): string {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'unknown';
}

/**
 * One request through the rate limiter and the retry policy, logged as `api_call` (and
 * `rate_limit_encounter` / `retry`), counted in ApiRequests. Renews `lease` before any wait.
 * `cancel` gives the request up while it has not been sent (a limiter wait, a retry's backoff): it
 * then rejects with the signal's reason. A request already sent is left to be answered, because the
 * API bills the posts it serves whether or not the caller still wants them.
 */
export async function callApi<T>(
  run: RunContext,
  request: ApiRequest,
  logger: Logger,
  lease?: LeaseGuard,
  tally?: RequestTally,
  cancel?: AbortSignal,
): Promise<ApiResponse<T>> {
  const bucket = bucketKey(request.endpoint);
  // What ends a wait: the run's signal or the caller's cancel; the send itself only the run's signal.
  const waits = eitherSignal(run.signal, cancel);
  const waitSignal = waits.signal;
  const { api, clock } = run.deps;
  // This request's slot at the rate limiter (waits: the pacing, the window, the minimum interval).
  const waitForSlot = () =>
    run.limiter.beforeRequest(bucket, {
      deadlineMs: run.deadlineMs,
      ...(waitSignal === undefined ? {} : { signal: waitSignal }),
      onWait: async (wait) => {
        await lease?.ensure(wait.waitMs);
        if (wait.reason === 'min_interval') return;
        run.counters.countRateLimitWait();
        tally?.countRateLimitWait();
        logger.log('info', LogEvent.rateLimitEncounter, {
          endpoint: request.endpoint,
          wait_ms: wait.waitMs,
          reason: wait.reason,
        });
        run.emit({ type: 'rate_limit_wait', endpoint: request.endpoint, waitMs: wait.waitMs });
      },
    });
  try {
    return await withRetry(
      async () => {
        cancel?.throwIfAborted();
        run.checkDeadline();
        // The lease and the credits flag first: no I/O sits between the limiter's slot and the send, so
        // the requests of streams polled at once reach the API as far apart as the limiter spaced them.
        await lease?.ensure();
        await run.spend.beforeRequest(); // the credits flag (throws when set) and its one probe
        try {
          await waitForSlot();
          cancel?.throwIfAborted(); // given up during the wait
        } catch (err) {
          // Never sent: if this request was the credits probe, the next one may be (else the others
          // would wait for its outcome for ever).
          run.spend.requestFailed();
          throw err;
        }
        const started = clock.now();
        run.counters.countRequest();
        tally?.countRequest();
        try {
          const response = await api.get<T>(request, run.signal);
          run.limiter.record(bucket, response.rateLimit, response.serverDateMs);
          await run.spend.afterAnswer();
          const body = response.body as { meta?: { result_count?: unknown } } | undefined;
          logger.log('info', LogEvent.apiCall, {
            endpoint: request.endpoint,
            status: response.status,
            result_count: body?.meta?.result_count,
            duration_ms: clock.now() - started,
            rate_limit_remaining: response.rateLimit?.remaining,
            reset_at: response.rateLimit ? new Date(response.rateLimit.resetAtMs).toISOString() : undefined,
          });
          run.emit(requestEvent(request.endpoint, response.status, response.rateLimit));
          return response;
        } catch (err) {
          const rateLimit = err instanceof ApiError ? err.response.rateLimit : undefined;
          // Every failed request is an error event (ErrorsEncountered / ApiRequests is the error rate),
          // retried or not; a 429 of the window is a rate-limit wait instead, and a stop is no failure.
          if (
            !(err instanceof RateLimitExceededError || err instanceof DeadlineError || run.signal?.aborted)
          ) {
            run.deps.metrics.add(MetricName.errorsEncountered, 1, 'Count');
          }
          if (err instanceof ApiError) run.limiter.record(bucket, rateLimit, err.response.serverDateMs);
          if (err instanceof ApiError && err.status === 429) tally?.countRateLimited();
          logger.log('warn', LogEvent.apiCall, {
            endpoint: request.endpoint,
            status: err instanceof ApiError ? err.status : undefined,
            error: errorCode(err),
            duration_ms: clock.now() - started,
            rate_limit_remaining: rateLimit?.remaining,
            reset_at: rateLimit ? new Date(rateLimit.resetAtMs).toISOString() : undefined,
          });
          run.emit(
            requestEvent(request.endpoint, err instanceof ApiError ? err.status : undefined, rateLimit),
          );
          // A 402 stops every stream of every process sharing the store; never retried.
          if (err instanceof CreditsDepletedError)
            await run.spend.creditsDepleted(err, logger, { endpoint: request.endpoint });
          else run.spend.requestFailed();
          throw err;
        }
      },
      {
        retry: run.options.retry,
        clock,
        deadlineMs: run.deadlineMs,
        ...(waitSignal === undefined ? {} : { signal: waitSignal }),
        onRetry: async (event) => {
          await lease?.ensure(event.delayMs);
          if (event.error instanceof RateLimitExceededError) {
            run.counters.countRateLimitWait();
            tally?.countRateLimitWait();
            logger.log('warn', LogEvent.rateLimitEncounter, {
              endpoint: request.endpoint,
              wait_ms: event.delayMs,
              reason: '429',
            });
            run.emit({ type: 'rate_limit_wait', endpoint: request.endpoint, waitMs: event.delayMs });
          }
          const code = errorCode(event.error);
          logger.log('warn', LogEvent.retry, {
            endpoint: request.endpoint,
            attempt: event.attempt,
            delay_ms: event.delayMs,
            code,
          });
          run.emit({ type: 'retry', code, attempt: event.attempt, delayMs: event.delayMs });
        },
      },
    );
  } finally {
    waits.dispose();
  }
}

/**
 * A signal that aborts when either does. Not AbortSignal.any: on Node 20 and 22 each call leaves a
 * dependent signal on a long-lived source (the run's signal) until it aborts (nodejs/node#54614,
 * #55351), one per request. `dispose` removes the listener this added to `long`.
 */
function eitherSignal(
  long: AbortSignal | undefined,
  short: AbortSignal | undefined,
): { readonly signal: AbortSignal | undefined; dispose(): void } {
  if (long === undefined || short === undefined) return { signal: long ?? short, dispose: () => {} };
  const both = new AbortController();
  const onLong = (): void => both.abort(long.reason);
  if (long.aborted) onLong();
  else long.addEventListener('abort', onLong, { once: true });
  if (short.aborted) both.abort(short.reason);
  else short.addEventListener('abort', () => both.abort(short.reason), { once: true });
  return { signal: both.signal, dispose: () => long.removeEventListener('abort', onLong) };
}
