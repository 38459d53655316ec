import { describe, expect, it } from 'vitest';
import { MemorySpendLedger } from '../../src/adapters/stores/memory-spend-ledger.js';
import { CreditsDepletedError, SinkError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { ApiRequest } from '../../src/core/ports/x-api.js';
import { Endpoint } from '../../src/core/ports/x-api.js';
import { RateLimiter } from '../../src/core/rate-limiter.js';
import { runExecution } from '../../src/core/run.js';
import {
  billPage,
  postsAllowed,
  postsForUsd,
  READ_IDS_KEPT,
  spendUsd,
  utcDay,
} from '../../src/core/spend.js';
import { SpendAccount } from '../../src/core/spend-account.js';
import { FakeXApi } from '../support/fake-x-api.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';
import { ManualClock } from '../support/manual-clock.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);
const stream = searchStream({ initial: { kind: 'since_id', id: since } });
const streams = ['a', 'b', 'c'].map((name) => ({ ...stream, name }));

const credits402 = () =>
  new CreditsDepletedError('HTTP 402 CreditsDepleted', 402, 'search_recent', 'about:blank');

function withLedger(ids: readonly string[]) {
  const h = harness(ids);
  const ledger = new MemorySpendLedger();
  return { ...h, ledger, deps: { ...h.deps, spendLedger: ledger } };
}

describe('spend arithmetic', () => {
  it.each([
    [0.015, 0.005, 3],
    [0.25, 0.005, 50],
    [1, 0.003, 333],
    [0, 0.005, 0],
  ])('postsForUsd(%d, %d) = %d', (usd, price, posts) => {
    expect(postsForUsd(usd, price)).toBe(posts);
  });

  it('takes the smaller of the day and month budgets, never below zero', () => {
    const options = { pricePerPostUsd: 0.005, maxSpendUsdPerDay: 1, maxSpendUsdPerMonth: 10 };
    expect(postsAllowed(options, { day: 150, month: 1000 })).toBe(50);
    expect(postsAllowed(options, { day: 0, month: 1990 })).toBe(10);
    expect(postsAllowed(options, { day: 250, month: 0 })).toBe(0);
    expect(postsAllowed({ pricePerPostUsd: 0.005 }, { day: 1e9, month: 1e9 })).toBe(Infinity);
  });

  it('bills only ids not read before the same day, and remembers a bounded number', () => {
    expect(billPage(['1', '2'], ['2', '3', '3'])).toEqual({ billed: 1, remembered: ['1', '2', '3'] });
    const many = Array.from({ length: READ_IDS_KEPT + 5 }, (_, i) => String(i));
    expect(billPage([], many).remembered).toHaveLength(READ_IDS_KEPT);
  });

  it('formats days in UTC and dollars without float noise', () => {
    expect(utcDay(Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('2026-12-31');
    expect(spendUsd(3, 0.1)).toBe(0.3);
  });
});

/** Stream a half delivered (10 of 30 posts), then the next request meets a 402. */
async function halfDeliveredThen402() {
  const h = withLedger(recentIds(START, 30));
  await runExecution(h.deps, [streams[0]!], testOptions({ maxTweets: 10 }));
  const before = await h.store.load('a');
  const requestsBefore = h.api.requests.length;
  h.api.faults.push(credits402());
  return { h, before, requestsBefore };
}

describe('runExecution and 402 CreditsDepleted', () => {
  it('stops every stream at the first 402: one request, state saved, flag, event and metric', async () => {
    // Prepare: stream a is half delivered; then the credits run out.
    const { h, before, requestsBefore } = await halfDeliveredThen402();
    // Act (one request in flight at a time: the next test has two)
    const summary = await runExecution(h.deps, streams, testOptions({ concurrency: 1 }));
    // Assess
    expect(summary.streams.map((s) => s.outcome)).toEqual([
      'credits_depleted',
      'credits_depleted',
      'credits_depleted',
    ]);
    expect(h.api.requests.length - requestsBefore).toBe(1);
    expect(await h.store.load('a')).toEqual(before);
    expect(await h.ledger.creditsDepletedAt()).toBe(new Date(START).toISOString());
    expect(h.metrics.total('CreditsDepleted')).toBe(1);
    expect(h.logger.events('credits_depleted')).toHaveLength(1);
    expect(h.logger.events('credits_depleted')[0]).toMatchObject({ source: 'api', stream: 'a' });
    expect(String(h.logger.events('credits_depleted')[0]!.message)).toMatch(/top up the credits/);
  });

  it('at concurrency 2: the request already in flight is answered, no request follows the 402', async () => {
    const { h, before, requestsBefore } = await halfDeliveredThen402();
    // a's request is answered (the 402) once b's has gone out too; b's once a's 402 was thrown.
    let bSent: () => void = () => undefined;
    let aAnswered: () => void = () => undefined;
    const bothOut = new Promise<void>((resolve) => {
      bSent = resolve;
    });
    const aDone = new Promise<void>((resolve) => {
      aAnswered = resolve;
    });
    h.api.beforeAnswer = async (_request, n) => {
      if (n === requestsBefore + 1) {
        await bothOut;
        setImmediate(aAnswered);
      } else if (n === requestsBefore + 2) {
        bSent();
        await aDone;
      }
    };
    const summary = await runExecution(h.deps, streams, testOptions({ concurrency: 2 }));
    // a met the 402; b's request had gone out with it and was answered (its posts are delivered);
    // c never made one.
    expect(summary.streams.map((s) => s.outcome)).toEqual([
      'credits_depleted',
      'caught_up',
      'credits_depleted',
    ]);
    expect(summary.streams[1]!.tweets_delivered).toBe(30);
    expect(h.api.requests.length - requestsBefore).toBe(2);
    expect(await h.store.load('a')).toEqual(before);
    expect(await h.ledger.creditsDepletedAt()).toBe(new Date(START).toISOString());
    expect(h.logger.events('credits_depleted')).toHaveLength(1);
  });

  it('makes exactly one probe request while the flag is set, and stops again on a 402', async () => {
    const h = withLedger(recentIds(START, 30));
    await h.ledger.setCreditsDepleted('2026-11-28T06:00:00.000Z');
    h.api.faults.push(credits402());
    const summary = await runExecution(h.deps, streams, testOptions());
    expect(h.api.requests).toHaveLength(1);
    expect(summary.streams.every((s) => s.outcome === 'credits_depleted')).toBe(true);
    expect(await h.ledger.creditsDepletedAt()).toBe(new Date(START).toISOString());
    expect(h.logger.events('credits_probe')).toHaveLength(1);
  });

  it('clears the flag when the probe succeeds and polls every stream', async () => {
    const ids = recentIds(START, 30);
    const h = withLedger(ids);
    await h.ledger.setCreditsDepleted('2026-11-28T06:00:00.000Z');
    const summary = await runExecution(h.deps, streams, testOptions({ maxTweets: 1000 }));
    expect(summary.streams.map((s) => s.outcome)).toEqual(['caught_up', 'caught_up', 'caught_up']);
    expect(await h.ledger.creditsDepletedAt()).toBeNull();
    expect(h.logger.events('credits_restored')).toHaveLength(1);
  });

  it('stops before its next request when another process sets the flag', async () => {
    const h = withLedger(recentIds(START, 300));
    let requestsAtFlag: number | undefined;
    h.sink.afterWrite = () => {
      requestsAtFlag ??= h.api.requests.length;
      void h.ledger.setCreditsDepleted('2026-11-28T12:00:00.000Z');
    };
    const summary = await runExecution(h.deps, streams, testOptions({ batchSize: 100 }));
    // At most the page already requested ahead when the flag appeared.
    expect(h.api.requests.length - requestsAtFlag!).toBeLessThanOrEqual(1);
    expect(h.api.requests.length).toBeLessThanOrEqual(2);
    expect(summary.streams.map((s) => s.outcome)).toEqual([
      'credits_depleted',
      'credits_depleted',
      'credits_depleted',
    ]);
    expect(h.metrics.total('CreditsDepleted')).toBe(0);
    expect(h.logger.events('credits_depleted')[0]).toMatchObject({ source: 'flag' });
  });
});

describe('runExecution spend accounting and budgets', () => {
  it('reports posts_billed and spend_usd per stream and per run, and the SpendUsd metric', async () => {
    const h = withLedger(recentIds(START, 40));
    const summary = await runExecution(
      h.deps,
      streams.slice(0, 2),
      testOptions({ spend: { pricePerPostUsd: 0.01 } }),
    );
    expect(summary.posts_billed).toBe(80);
    expect(summary.spend_usd).toBe(0.8);
    expect(summary.streams.map((s) => s.posts_billed)).toEqual([40, 40]);
    expect(h.metrics.total('SpendUsd')).toBe(0.8);
    expect(h.logger.events('execution_end')[0]).toMatchObject({ posts_billed: 80, spend_usd: 0.8 });
    expect(await h.ledger.totals(utcDay(START))).toEqual({ dayPosts: 80, monthPosts: 80 });
  });

  it('counts an overlap re-read the same UTC day as free, and bills it after midnight', async () => {
    const ids = recentIds(START, 20);
    const h = withLedger(ids);
    const overlap = { ...stream, overlapSeconds: 3600 };
    const first = await runExecution(h.deps, [overlap], testOptions());
    expect(first.posts_billed).toBe(20);
    const again = await runExecution(h.deps, [overlap], testOptions());
    expect(again.posts_billed).toBe(0);
    h.clock.advance(12 * 3600_000); // past midnight UTC
    const tomorrow = await runExecution(h.deps, [overlap], testOptions());
    expect(tomorrow.posts_billed).toBeGreaterThan(0);
  });

  it('shrinks pages to the daily budget, saves the checkpoint and ends spend_exhausted', async () => {
    const h = withLedger(recentIds(START, 200));
    // $0.25 a day at $0.005: 50 posts. Pages: 50 (shrunk from 100).
    const options = testOptions({ spend: { pricePerPostUsd: 0.005, maxSpendUsdPerDay: 0.25 } });
    const summary = await runExecution(h.deps, [stream], options);
    expect(summary.streams[0]).toMatchObject({ outcome: 'spend_exhausted', tweets_delivered: 50 });
    expect(summary.posts_billed).toBe(50);
    expect(h.api.requests.map((r) => r.params.max_results)).toEqual(['50']);
    expect((await h.store.load(stream.name))?.sweep?.untilId).toBeDefined();
    // The same day, a second run reads nothing more.
    const again = await runExecution(h.deps, streams, options);
    expect(again.streams.every((s) => s.outcome === 'spend_exhausted')).toBe(true);
    expect(h.api.requests).toHaveLength(1);
  });

  it('does not request a page smaller than the endpoint minimum: stops instead', async () => {
    const h = withLedger(recentIds(START, 200));
    // 0.06 / 0.005 = 12 posts: one page of 12, then 0 left.
    const options = testOptions({ spend: { pricePerPostUsd: 0.005, maxSpendUsdPerMonth: 0.06 } });
    await h.ledger.recordRead('elsewhere', ['1', '2', '3', '4', '5'], utcDay(START));
    const summary = await runExecution(h.deps, [stream], options);
    expect(h.api.requests.map((r) => r.params.max_results)).toEqual([]);
    expect(summary.streams[0]!.outcome).toBe('spend_exhausted');
  });
});

/** Counts the posts the API's answers served: what it bills (no same-day re-reads in these tests). */
function countServed(h: ReturnType<typeof withLedger>): () => number {
  let served = 0;
  const get = h.api.get.bind(h.api);
  h.api.get = async <T>(request: ApiRequest, signal?: AbortSignal) => {
    const response = await get<T>(request, signal);
    served += (response.body as { data?: unknown[] }).data?.length ?? 0;
    return response;
  };
  return () => served;
}

/** A ManualClock whose sleeps of exactly `heldMs` wait until `release()` (or their signal aborts). */
class HoldingClock extends ManualClock {
  readonly #held: (() => void)[] = [];
  constructor(readonly heldMs: number) {
    super(START);
  }
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms !== this.heldMs) return super.sleep(ms, signal);
    return new Promise((resolve, reject) => {
      const end = (): void => resolve(super.sleep(ms));
      this.#held.push(end);
      signal?.addEventListener(
        'abort',
        () => {
          this.#held.splice(this.#held.indexOf(end), 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
  /** Ends every held sleep; returns how many there were. */
  release(): number {
    const held = this.#held.splice(0);
    for (const end of held) end();
    return held.length;
  }
}

describe('every page served is billed, delivered or not', () => {
  it('records a page read ahead and never taken (the sink rejected the page before it)', async () => {
    const h = withLedger(recentIds(START, 300));
    const served = countServed(h);
    h.sink.failures.push(new SinkError('rejected', false));
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]!.outcome).toBe('failed');
    expect(h.api.requests).toHaveLength(2); // the page, and the next one read ahead while it was delivered
    expect(served()).toBe(200);
    expect((await h.ledger.totals(utcDay(START))).dayPosts).toBe(200);
    expect(summary.posts_billed).toBe(200);
  });

  it('records a page that fails validation', async () => {
    const h = withLedger(recentIds(START, 300));
    const served = countServed(h);
    // Oldest first: not strictly descending, rejected before anything is delivered.
    h.api.transform = (body) => ({ ...body, data: [...((body.data as unknown[]) ?? [])].reverse() });
    const summary = await runExecution(h.deps, [stream], testOptions());
    expect(summary.streams[0]!.outcome).toBe('failed');
    expect(h.sink.ids).toEqual([]);
    expect(served()).toBe(100);
    expect((await h.ledger.totals(utcDay(START))).dayPosts).toBe(100);
  });

  it.each([
    ['without', undefined],
    ['with', new AbortController()],
  ])(
    'gives up a page read ahead that still waits at the limiter (%s a run signal): never sent, nothing billed',
    async (_, run) => {
      const h = withLedger([]);
      const clock = new HoldingClock(1_000);
      const api = new FakeXApi(clock, recentIds(START, 300));
      h.sink.failures.push(new SinkError('rejected', false));
      // 1 s between requests: the read-ahead waits at the limiter while the first page is delivered.
      const summary = await runExecution(
        { ...h.deps, api, clock },
        [stream],
        testOptions({ minIntervalMs: 1_000 }),
        run?.signal,
      );
      expect(summary.streams[0]!.outcome).toBe('failed');
      // Nothing is left waiting to be sent after the run: a later send would be billed and never recorded.
      expect(clock.release()).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(api.requests).toHaveLength(1);
      expect((await h.ledger.totals(utcDay(START))).dayPosts).toBe(100);
    },
  );
});

describe('a probe that is never sent', () => {
  it('lets the other streams stop when the probe cannot wait for the rate limit: the run ends', async () => {
    // The credits flag of the last run is set: this run's first request is the probe. The window is
    // spent until after the deadline, so the probe stops at the limiter, before it is sent; the other
    // stream waits for the probe's outcome and must be let go, not left waiting for ever.
    const h = withLedger(recentIds(START, 30));
    await h.ledger.setCreditsDepleted('2026-11-28T06:00:00.000Z');
    const rateLimiter = new RateLimiter({ clock: h.clock, minIntervalMs: 0, pacingThreshold: 0.8 });
    rateLimiter.record(Endpoint.searchRecent, { limit: 450, remaining: 0, resetAtMs: START + 20 * 60_000 });
    const options = testOptions({ concurrency: 2, timeBudgetMs: 10 * 60_000 });
    const summary = await runExecution({ ...h.deps, rateLimiter }, streams.slice(0, 2), options);
    expect(summary.streams.map((s) => s.outcome)).toEqual(['deadline', 'deadline']);
    expect(h.api.requests).toHaveLength(0);
    expect(await h.ledger.creditsDepletedAt()).toBe('2026-11-28T06:00:00.000Z'); // not answered: still set
  });
});

describe('SpendAccount probe with requests in parallel (a scheduler interleaving streams)', () => {
  async function probing() {
    const ledger = new MemorySpendLedger();
    await ledger.setCreditsDepleted('2026-11-28T06:00:00.000Z');
    const h = harness();
    const account = await SpendAccount.open(
      { pricePerPostUsd: 0.005 },
      {
        ledger,
        clock: h.clock,
        logger: h.logger,
        metrics: h.metrics,
      },
    );
    await account.beforeRequest(); // the probe goes out
    return { ledger, account, h };
  }

  it('holds the other requests until the probe is answered, then lets them go', async () => {
    const { ledger, account } = await probing();
    let released = false;
    const waiting = account.beforeRequest().then(() => {
      released = true;
    });
    await Promise.resolve();
    expect(released).toBe(false);
    await account.afterAnswer();
    await waiting;
    expect(released).toBe(true);
    expect(await ledger.creditsDepletedAt()).toBeNull();
  });

  it('makes one probe when two requests read the flag at the same moment', async () => {
    // Two streams' requests ask before either is the probe: both read the flag (a store round trip).
    const ledger = new MemorySpendLedger();
    await ledger.setCreditsDepleted('2026-11-28T06:00:00.000Z');
    const h = harness();
    const account = await SpendAccount.open(
      { pricePerPostUsd: 0.005 },
      { ledger, clock: h.clock, logger: h.logger, metrics: h.metrics },
    );
    const order: string[] = [];
    const first = account.beforeRequest().then(() => order.push('first'));
    const second = account.beforeRequest().then(() => order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first']); // the second waits for the probe's answer
    expect(h.logger.events('credits_probe')).toHaveLength(1);
    await account.afterAnswer();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(h.logger.events('credits_probe')).toHaveLength(1);
  });

  it('stops the other requests when the probe meets the 402', async () => {
    const { account, h } = await probing();
    const waiting = account.beforeRequest();
    await account.creditsDepleted(credits402(), h.logger, {});
    await expect(waiting).rejects.toBeInstanceOf(CreditsDepletedError);
    expect(account.depleted).toBe(true);
  });
});
