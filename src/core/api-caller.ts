/**
 * One paced, retried API call with its logs and metrics: RateLimiter.beforeRequest, XApi.get, record
 * the rate-limit headers (of failures too), retry what classifyError allows.
 */
import { ApiError, RateLimitExceededError } from './errors.js';
import { LogEvent, type Logger } from './ports/observability.js';
import type { ApiRequest, ApiResponse } from './ports/x-api.js';
import { bucketKey } from './rate-limiter.js';
import { withRetry } from './retry.js';
import type { RunContext } from './run-context.js';
import type { RequestTally } from './stream-activity.js';

/** Whatever keeps the caller's leases alive through a wait of `forMs` (a LeaseKeeper, a session). */
export interface LeaseGuard {
  ensure(forMs?: number): Promise<void>;
}

function errorCode(err: unknown): string {
  return typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'unknown';
}

/**
 * One request through the rate limiter and the retry policy, logged as `api_call` (and
 * `rate_limit_encounter` / `retry`), counted in ApiRequests. Renews `lease` before any wait.
 */
export async function callApi<T>(
  run: RunContext,
  request: ApiRequest,
  logger: Logger,
  lease?: LeaseGuard,
  tally?: RequestTally,
): Promise<ApiResponse<T>> {
  const { api, clock } = run.deps;
  const bucket = bucketKey(request.endpoint);
  return withRetry(
    async () => {
      run.checkDeadline();
      await run.limiter.beforeRequest(bucket, {
        deadlineMs: run.deadlineMs,
        ...(run.signal === undefined ? {} : { signal: run.signal }),
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
        },
      });
      await lease?.ensure();
      const started = clock.now();
      run.counters.countRequest();
      tally?.countRequest();
      try {
        const response = await api.get<T>(request, run.signal);
        run.limiter.record(bucket, response.rateLimit, response.serverDateMs);
        const body = response.body as { meta?: { result_count?: unknown } } | undefined;
        logger.log('info', LogEvent.apiCall, {
          endpoint: request.endpoint,
          status: response.status,
          result_count: body?.meta?.result_count,
          duration_ms: clock.now() - started,
          rate_limit_remaining: response.rateLimit?.remaining,
          reset_at: response.rateLimit ? new Date(response.rateLimit.resetAtMs).toISOString() : undefined,
        });
        return response;
      } catch (err) {
        const rateLimit = err instanceof ApiError ? err.response.rateLimit : undefined;
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
        throw err;
      }
    },
    {
      retry: run.options.retry,
      clock,
      deadlineMs: run.deadlineMs,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
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
        }
        logger.log('warn', LogEvent.retry, {
          endpoint: request.endpoint,
          attempt: event.attempt,
          delay_ms: event.delayMs,
          code: errorCode(event.error),
        });
      },
    },
  );
}
