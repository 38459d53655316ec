/**
 * Read-ahead (issue 17): the next request (this stream's next page, or the next stream's turn) goes out
 * before the page just read is billed, written and committed, so the API works while this process
 * does. With a clock whose `yieldToIo` lets pending I/O go first (setImmediate, as SystemClock), the
 * API sees request N+1 before the sink sees page N. The spend budgets still count the page read and
 * not yet recorded (`SpendAccount.holdRoom`), so a request made before the record never asks for more.
 */
import { describe, expect, it } from 'vitest';
import { timeMsToId } from '../../src/core/ids.js';
import type { Clock } from '../../src/core/ports/clock.js';
import type { SpendLedger } from '../../src/core/ports/spend-ledger.js';
import type { ApiRequest } from '../../src/core/ports/x-api.js';
import { runExecution } from '../../src/core/run.js';
import { SpendAccount } from '../../src/core/spend-account.js';
import {
  type Harness,
  harness,
  RecordingLogger,
  RecordingMetrics,
  recentIds,
  searchStream,
  testOptions,
} from '../support/harness.js';
import { ManualClock } from '../support/manual-clock.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const initial = { kind: 'since_id', id: timeMsToId(START - 10 * 60_000) } as const;

/** A manual clock that, like the real one, lets I/O started so far run before the caller goes on. */
class YieldingClock extends ManualClock implements Clock {
  yieldToIo(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}

/** Logs each API request as `get:<query>:<page>` in the sink's call list, in the order the API sees them. */
function recordRequests(h: Harness): void {
  const get = h.api.get.bind(h.api);
  const pages = new Map<string, number>();
  h.api.get = async <T>(request: ApiRequest, signal?: AbortSignal) => {
    const query = request.params.query ?? '';
    const page = (pages.get(query) ?? 0) + 1;
    pages.set(query, page);
    // The fake answers at once: the request is "sent" when the fake is called.
    h.sink.calls.push(`get:${query}:${page}`);
    return get<T>(request, signal);
  };
}

function yielding(h: Harness): Harness {
  const clock = new YieldingClock(h.clock.now());
  return { ...h, deps: { ...h.deps, clock } };
}

describe('read-ahead', () => {
  it("one stream: page N+1 is requested before page N's batches reach the sink", async () => {
    const ids = recentIds(START, 300);
    const h = yielding(harness(ids));
    recordRequests(h);
    await runExecution(h.deps, [searchStream({ initial })], testOptions({ batchSize: 50, commitPages: 10 }));
    expect(h.sink.ids).toEqual(ids);
    const calls = h.sink.calls.filter((c) => c !== 'save');
    // get 1, then get 2 before the first page's two writes, get 3 before the second page's.
    expect(calls.slice(0, 5)).toEqual([
      'get:from:x:1',
      'get:from:x:2',
      'write:50',
      'write:50',
      'get:from:x:3',
    ]);
  });

  it("two streams: the next stream's request goes out before this stream's page is written", async () => {
    const ids = recentIds(START, 200);
    const h = yielding(harness(ids));
    recordRequests(h);
    const a = searchStream({
      name: 'a',
      initial,
      source: { kind: 'search', query: 'from:a', archive: false },
    });
    const b = searchStream({
      name: 'b',
      initial,
      source: { kind: 'search', query: 'from:b', archive: false },
    });
    await runExecution(h.deps, [a, b], testOptions({ batchSize: 50, maxTweets: 200 }));
    const calls = h.sink.calls.filter((c) => c !== 'save');
    const firstGet = calls.findIndex((c) => c.startsWith('get:'));
    const firstWrite = calls.indexOf('write:50');
    // Both streams' first requests precede the first write: the turn passed on before the page's work.
    expect(calls.slice(firstGet, firstGet + 2).sort()).toEqual(['get:from:a:1', 'get:from:b:1']);
    expect(firstWrite).toBeGreaterThan(firstGet + 1);
  });

  it('holdRoom takes a read page out of the spend room until it is recorded, or its record failed', async () => {
    const clock = new ManualClock(START);
    const ports = { clock, logger: new RecordingLogger(), metrics: new RecordingMetrics() };
    const options = { pricePerPostUsd: 0.005, maxSpendUsdPerDay: 1.25 }; // 250 posts a day
    const account = await SpendAccount.open(options, ports);
    expect(account.room()).toBe(250);
    account.holdRoom(100);
    expect(account.room()).toBe(150);
    await account.record('s', recentIds(START, 100));
    expect(account.room()).toBe(150); // billed now, no longer held
    const failing = await SpendAccount.open(options, {
      ...ports,
      ledger: {
        totals: async () => ({ dayPosts: 0, monthPosts: 0 }),
        creditsDepletedAt: async () => null,
        recordRead: async () => {
          throw new Error('disk full');
        },
      } as unknown as SpendLedger,
    });
    failing.holdRoom(100);
    expect(failing.room()).toBe(150);
    await expect(failing.record('s', recentIds(START, 100))).rejects.toThrow('disk full');
    expect(failing.room()).toBe(250);
  });
});
