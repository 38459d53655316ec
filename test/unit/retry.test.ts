import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/adapters/aws/errors.js';
import {
  ApiError,
  AuthenticationError,
  CheckpointConflictError,
  CorruptCheckpointError,
  DeadlineError,
  InvalidResponseError,
  NetworkError,
  RateLimitExceededError,
  SinkError,
  StaleSinceIdError,
  TimeoutError,
  UsageCapExceededError,
} from '../../src/core/errors.js';
import { backoffDelay, classifyError, withRetry } from '../../src/core/retry.js';
import { ManualClock } from '../support/manual-clock.js';

const NOW = 1_800_000_000_000;
const retry = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 4 };
const awsError = (name: string, retryable: boolean) =>
  new AwsServiceError(`DynamoDB UpdateItem failed: ${name}`, 'DynamoDB', 'UpdateItem', name, retryable);
const api = (status: number) => new ApiError(`HTTP ${status}`, status, 'search_recent', 'about:blank');

describe('classifyError', () => {
  it.each([
    ['500', api(500), true],
    ['502', api(502), true],
    ['503', api(503), true],
    ['504', api(504), true],
    ['400', api(400), false],
    ['403', api(403), false],
    ['404', api(404), false],
    ['401 AuthenticationError', new AuthenticationError('x', 401, 'search_recent', undefined), false],
    ['429 window', new RateLimitExceededError('x', 429, 'search_recent', 'about:blank'), true],
    ['429 usage cap', new UsageCapExceededError('x', 429, 'search_recent', 'usage-capped'), false],
    ['stale since_id', new StaleSinceIdError('x', 'search_recent', '1'), false],
    ['NetworkError', new NetworkError('reset', 'search_recent'), true],
    ['TimeoutError', new TimeoutError('slow', 'search_recent'), true],
    ['truncated body', new InvalidResponseError('bad json', 'search_recent', { retryable: true }), true],
    ['invalid content', new InvalidResponseError('bad ids', 'search_recent'), false],
    ['retryable sink', new SinkError('busy', true), true],
    ['fatal sink', new SinkError('denied', false), false],
    ['DynamoDB throttle (AwsServiceError)', awsError('ProvisionedThroughputExceededException', true), true],
    ['DynamoDB access denied (AwsServiceError)', awsError('AccessDeniedException', false), false],
    ['conflict', new CheckpointConflictError('x', 's'), false],
    ['corrupt', new CorruptCheckpointError('x', 's'), false],
    ['deadline', new DeadlineError('x'), false],
    ['TypeError (programming error)', new TypeError('x is undefined'), false],
    ['a string', 'boom', false],
  ])('%s → retryable %s', (_name, err, retryable) => {
    expect(classifyError(err, NOW).retryable).toBe(retryable);
  });

  it('waits for the reset measured against the server Date on a 429', () => {
    const err = new RateLimitExceededError('x', 429, 'search_recent', 'about:blank', {
      rateLimit: { limit: 450, remaining: 0, resetAtMs: NOW + 60_000 },
      serverDateMs: NOW,
    });
    // The local clock runs 10 minutes ahead; the server's own Date cancels that.
    expect(classifyError(err, NOW + 600_000)).toEqual({ retryable: true, waitMs: 61_000 });
  });

  it('prefers Retry-After over the reset header', () => {
    const err = new RateLimitExceededError('x', 429, 'search_recent', 'about:blank', {
      rateLimit: { limit: 450, remaining: 0, resetAtMs: NOW + 60_000 },
      retryAfterMs: 5_000,
    });
    expect(classifyError(err, NOW).waitMs).toBe(5_000);
  });

  it('waits about one second on a search/all 429 while the window has calls left', () => {
    const err = new RateLimitExceededError('x', 429, 'search_all', 'about:blank', {
      rateLimit: { limit: 300, remaining: 250, resetAtMs: NOW + 600_000 },
      serverDateMs: NOW,
    });
    expect(classifyError(err, NOW).waitMs).toBe(2_000);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 0],
    [1, 0.999999, 1000],
    [2, 0.999999, 2000],
    [3, 0.5, 2000],
    [5, 0.999999, 16000],
    [6, 0.999999, 30000],
    [60, 0.999999, 30000],
    [1000, 0.5, 15000],
  ])('attempt %i with random %f → %i ms', (attempt, r, expected) => {
    expect(backoffDelay(attempt, retry, () => r)).toBe(expected);
  });
});

describe('withRetry', () => {
  it('retries a retryable error with full-jitter backoff and then succeeds', async () => {
    const clock = new ManualClock(NOW);
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw api(503);
        return 'ok';
      },
      { retry, clock, random: () => 0.5 },
    );
    expect(result).toBe('ok');
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('lets the server timing beat local backoff', async () => {
    const clock = new ManualClock(NOW);
    const err = new ApiError('x', 503, 'search_recent', undefined, { retryAfterMs: 42_000 });
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw err;
      },
      { retry, clock, random: () => 0 },
    );
    expect(clock.sleeps).toEqual([42_000]);
  });

  it('does not retry a non-retryable error', async () => {
    const clock = new ManualClock(NOW);
    let calls = 0;
    const err = api(400);
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err;
        },
        { retry, clock },
      ),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops at maxAttempts and throws the last error', async () => {
    const clock = new ManualClock(NOW);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new NetworkError(`fail ${calls}`, 'search_recent');
        },
        { retry, clock, random: () => 0 },
      ),
    ).rejects.toThrow('fail 4');
    expect(calls).toBe(4);
  });

  it('throws DeadlineError instead of a wait that would end after the deadline', async () => {
    const clock = new ManualClock(NOW);
    const err = new RateLimitExceededError('x', 429, 'search_recent', 'about:blank', {
      rateLimit: { limit: 1, remaining: 0, resetAtMs: NOW + 900_000 },
      serverDateMs: NOW,
    });
    const failure = await withRetry(
      async () => {
        throw err;
      },
      { retry, clock, deadlineMs: NOW + 60_000 },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeadlineError);
    expect((failure as DeadlineError).cause).toBe(err);
    expect(clock.sleeps).toEqual([]);
  });

  it('reports every retry with attempt and delay', async () => {
    const clock = new ManualClock(NOW);
    const events: [number, number][] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ < 2) throw api(500);
      },
      { retry, clock, random: () => 0.25, onRetry: (e) => void events.push([e.attempt, e.delayMs]) },
    );
    expect(events).toEqual([
      [1, 250],
      [2, 500],
    ]);
  });

  it('does not retry once the signal aborted', async () => {
    const clock = new ManualClock(NOW);
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          controller.abort();
          throw api(503);
        },
        { retry, clock, signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(ApiError);
    expect(calls).toBe(1);
  });
});
