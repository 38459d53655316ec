import { describe, expect, it } from 'vitest';
import { JsonLogger, redact } from '../../src/adapters/observability/json-logger.js';
import { ProgressLine, ProgressLogger } from '../../src/adapters/observability/progress-logger.js';
import { SumMetrics } from '../../src/adapters/observability/sum-metrics.js';
import { ApiError } from '../../src/core/errors.js';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => lines.push(chunk) !== 0 } };
}

const NOW = () => new Date('2027-01-15T08:00:00.000Z');

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, event and fields', () => {
    const { lines, stream } = capture();
    new JsonLogger({ stream, now: NOW }).log('info', 'api_call', { endpoint: 'search_recent', status: 200 });
    expect(lines).toEqual([
      '{"time":"2027-01-15T08:00:00.000Z","level":"info","event":"api_call","endpoint":"search_recent","status":200}\n',
    ]);
  });

  it('drops lines below its level', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger({ stream, level: 'warn', now: NOW });
    logger.log('debug', 'a');
    logger.log('info', 'b');
    logger.log('warn', 'c');
    logger.log('error', 'd');
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['c', 'd']);
  });

  it('adds the fields of child() to every line of the child, keeping level and redaction', () => {
    const { lines, stream } = capture();
    const child = new JsonLogger({ stream, level: 'warn', secrets: ['secret-token-1'], now: NOW })
      .child({ correlation_id: 'c-1' })
      .child({ stream: 's' });
    child.log('info', 'hidden');
    child.log('warn', 'shown', { message: 'bad secret-token-1' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      correlation_id: 'c-1',
      stream: 's',
      message: 'bad [REDACTED]',
    });
  });

  it('never prints the bearer token, wherever it hides', () => {
    const { lines, stream } = capture();
    const token = 'AAAA%2Bsecret"quoted\\token';
    const logger = new JsonLogger({ stream, secrets: [token], now: NOW });
    logger.log('error', 'error', { message: `Authorization: Bearer ${token}`, nested: { header: token } });
    expect(lines.join('')).not.toContain('secret');
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('serialises errors through toJSON and bigints as strings', () => {
    const { lines, stream } = capture();
    const error = new ApiError('HTTP 503', 503, 'search_recent', 'about:blank');
    new JsonLogger({ stream, now: NOW }).log('warn', 'retry', { error, id: 2n ** 63n - 1n });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      error: { name: 'ApiError', status: 503, endpoint: 'search_recent' },
      id: '9223372036854775807',
    });
  });

  it('redact leaves short strings alone so that logs stay readable', () => {
    expect(redact('a b a', ['a'])).toBe('a b a');
  });
});

describe('ProgressLine', () => {
  it('counts requests, delivered posts, waits and retries from the typed events of the run', () => {
    const tty = capture();
    const line = new ProgressLine(tty.stream);
    line.onEvent({
      type: 'request',
      endpoint: 'search_recent',
      status: 200,
      rateLimit: { remaining: 449, limit: 450 },
    });
    line.onEvent({ type: 'committed', stream: 's', posts: 25, batches: 1 });
    line.onEvent({ type: 'rate_limit_wait', endpoint: 'search_recent', waitMs: 100 });
    line.onEvent({ type: 'retry', code: 'sink', attempt: 1, delayMs: 10 });
    line.onEvent({ type: 'committed', stream: 's', posts: 5, batches: 1 });
    expect(tty.lines.at(-1)).toBe('\r\x1b[Kposts 30 · requests 1 · rate limit 449/450 · waits 1 · retries 1');
  });

  it('counts no post for a stream that failed (nothing was committed)', () => {
    const tty = capture();
    const line = new ProgressLine(tty.stream);
    line.onEvent({ type: 'request', endpoint: 'search_recent', status: 200 });
    line.onEvent({ type: 'stream_error', stream: 's', outcome: 'failed', code: 'sink', reason: 'ENOSPC' });
    expect(tty.lines.at(-1)).toContain('posts 0 · requests 1 · rate limit - ·');
  });
});

describe('ProgressLogger', () => {
  it('keeps the status line under the log lines: cleared before each, drawn again after it, not after execution_end', () => {
    const inner = capture();
    const tty = capture();
    const line = new ProgressLine(tty.stream);
    const logger = new ProgressLogger(new JsonLogger({ stream: inner.stream, now: NOW }), line).child({
      stream: 's',
    });
    logger.log('info', 'api_call', { rate_limit_remaining: 449 });
    line.onEvent({ type: 'committed', stream: 's', posts: 25, batches: 1 });
    logger.log('info', 'execution_end', {});
    expect(inner.lines).toHaveLength(2);
    expect(JSON.parse(inner.lines[0] as string)).toMatchObject({ event: 'api_call', stream: 's' });
    expect(tty.lines).toEqual([
      '\r\x1b[Kposts 0 · requests 0 · rate limit - · waits 0 · retries 0',
      '\r\x1b[Kposts 25 · requests 0 · rate limit - · waits 0 · retries 0',
      '\r\x1b[K',
    ]);
  });
});

describe('SumMetrics', () => {
  it('sums each metric', () => {
    const metrics = new SumMetrics();
    metrics.add('ApiRequests', 1);
    metrics.add('ApiRequests', 2);
    metrics.add('TweetsProcessed', 25);
    expect(metrics.totals()).toEqual({ ApiRequests: 3, TweetsProcessed: 25 });
    expect(metrics.total('RateLimitWaits')).toBe(0);
  });
});
