/** The CLI's human lines come from the run's typed events, never from its log lines. */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/ports/run-events.js';
import { noticeOf, runNotices } from '../../src/entrypoints/run-notices.js';

describe('noticeOf', () => {
  it.each<[string, RunEvent, string | undefined]>([
    [
      'a skipped stream',
      { type: 'stream_skipped', stream: 'news', reason: 'locked' },
      'stream "news" skipped: its lease is held by another execution (locked)',
    ],
    [
      'a stream that failed',
      { type: 'stream_error', stream: 'news', outcome: 'failed', code: 'sink', reason: 'ENOSPC' },
      'stream "news" failed: ENOSPC',
    ],
    [
      'the usage cap',
      { type: 'stream_error', stream: 'news', outcome: 'usage_capped', code: 'usage_cap', reason: 'capped' },
      'stream "news" failed: capped',
    ],
    [
      'a rejected token (never the token itself)',
      { type: 'stream_error', stream: 'news', outcome: 'failed', code: 'authentication', reason: 'HTTP 401' },
      'the API rejected the bearer token (HTTP 401): check X_BEARER_TOKEN (the token is not shown)',
    ],
    ['a commit', { type: 'committed', stream: 'news', posts: 100, batches: 4 }, undefined],
    ['a request', { type: 'request', endpoint: 'search_recent', status: 200 }, undefined],
    ['a retry', { type: 'retry', code: 'sink', attempt: 1, delayMs: 10 }, undefined],
  ])('%s', (_name, event, line) => {
    expect(noticeOf(event)).toBe(line);
  });

  it('says the credits must be topped up', () => {
    expect(noticeOf({ type: 'credits_depleted' })).toMatch(/credits are depleted \(HTTP 402\).*Top up/);
  });
});

describe('runNotices', () => {
  it('passes every event on to the next observer (the progress line), then says its human line', () => {
    const order: string[] = [];
    const observer = runNotices((text) => order.push(`say ${text}`), {
      onEvent: (e) => order.push(`next ${e.type}`),
    });
    observer.onEvent({ type: 'committed', stream: 's', posts: 1, batches: 1 });
    observer.onEvent({ type: 'stream_skipped', stream: 's', reason: 'locked' });
    expect(order).toEqual([
      'next committed',
      'next stream_skipped',
      'say stream "s" skipped: its lease is held by another execution (locked)',
    ]);
  });
});
