/**
 * SharedRateBudget, simulated: several holders (each its own SharedRateBudget, like processes) on one
 * budget store, against a server that counts fixed windows per app exactly like the emulator (a
 * window starts at the first request; the reset header is whole seconds, rounded up; the Date header
 * whole seconds, rounded down). Virtual time: nothing sleeps for real.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRateBudgetStore } from '../../src/adapters/stores/memory-rate-budget.js';
import { DeadlineError } from '../../src/core/errors.js';
import type { RateBudgetStore } from '../../src/core/ports/rate-budget.js';
import type { RateLimitSnapshot } from '../../src/core/ports/x-api.js';
import { SharedRateBudget } from '../../src/core/shared-rate-budget.js';
import { VirtualClock } from '../support/virtual-clock.js';

const BUCKET = 'search_recent';

/** The emulator's window rule (emulator/limits/rate-limiter.ts), per app. */
class WindowServer {
  #start = Number.NEGATIVE_INFINITY;
  #used = 0;
  readonly arrivals: number[] = [];
  refused = 0;
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  take(now: number): { ok: boolean; snapshot: RateLimitSnapshot; dateMs: number } {
    if (now >= this.#start + this.windowMs) {
      this.#start = now;
      this.#used = 0;
    }
    const ok = this.#used < this.limit;
    if (ok) this.#used++;
    else this.refused++;
    this.arrivals.push(now);
    return {
      ok,
      snapshot: {
        limit: this.limit,
        remaining: this.limit - this.#used,
        resetAtMs: Math.ceil((this.#start + this.windowMs) / 1000) * 1000,
      },
      dateMs: Math.floor(now / 1000) * 1000,
    };
  }
}

interface SimOptions {
  readonly holders: number;
  readonly requestsEach: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly latencyMs: number;
  readonly minIntervalMs?: number;
  readonly store?: RateBudgetStore;
  readonly maxGrantSize?: number;
  /** Virtual time each store read and write takes (DynamoDB: about 5 ms). @default 0 */
  readonly storeLatencyMs?: number;
}

/** A budget store whose calls take `ms` of virtual time, so holders race as they do on DynamoDB. */
function latent(store: RateBudgetStore, clock: VirtualClock, ms: number): RateBudgetStore {
  return {
    read: async (key) => {
      await clock.sleep(ms);
      return store.read(key);
    },
    write: async (state, version) => {
      await clock.sleep(ms);
      return store.write(state, version);
    },
    list: () => store.list(),
    close: () => store.close(),
  };
}

async function simulate(o: SimOptions) {
  const clock = new VirtualClock();
  const start = clock.now();
  const base = o.store ?? new MemoryRateBudgetStore();
  const store = o.storeLatencyMs === undefined ? base : latent(base, clock, o.storeLatencyMs);
  const server = new WindowServer(o.limit, o.windowMs);
  const budgets: SharedRateBudget[] = [];
  const holder = async (h: number) => {
    const budget = new SharedRateBudget({
      store,
      clock,
      holder: `h${h}`,
      minIntervalMs: o.minIntervalMs ?? 0,
      ...(o.maxGrantSize === undefined ? {} : { maxGrantSize: o.maxGrantSize }),
    });
    budgets.push(budget);
    let done = 0;
    // Bounded: a refused request is retried, but never more than 10x the work.
    for (let attempt = 0; done < o.requestsEach && attempt < o.requestsEach * 10; attempt++) {
      await budget.acquire(BUCKET);
      await clock.sleep(o.latencyMs / 2);
      const sent = server.take(clock.now());
      await clock.sleep(o.latencyMs / 2);
      budget.observe(BUCKET, sent.snapshot, clock.now() - sent.dateMs);
      if (sent.ok) done++;
    }
    await budget.release();
    return done;
  };
  const done = await clock.run(Array.from({ length: o.holders }, (_, h) => holder(h)));
  const total = o.holders * o.requestsEach;
  const windows = Math.ceil(total / o.limit);
  return {
    done,
    refused: server.refused,
    elapsedMs: clock.now() - start,
    /** (windows - 1) windows: the last window's requests take no time. */
    minMs: (windows - 1) * o.windowMs,
    looseMinMs: (total / o.limit) * o.windowMs,
    writes: budgets.reduce((n, b) => n + b.writes, 0),
    conflicts: budgets.reduce((n, b) => n + b.conflicts, 0),
    store,
  };
}

describe('SharedRateBudget (simulated holders on one store)', () => {
  it.each([
    { holders: 6, requestsEach: 40, latencyMs: 30 },
    { holders: 2, requestsEach: 120, latencyMs: 30 },
    { holders: 16, requestsEach: 15, latencyMs: 30 },
    { holders: 6, requestsEach: 40, latencyMs: 300 },
  ])(
    '$holders holders x $requestsEach requests at 30 per 5 s: no 429, within 1.1x of the minimum',
    async (c) => {
      const r = await simulate({ ...c, limit: 30, windowMs: 5_000 });
      expect(r.done).toEqual(Array(c.holders).fill(c.requestsEach));
      expect(r.refused).toBe(0);
      // The minimum (requests / limit windows) x 1.1, plus one window: windows start at the
      // first request and the reset header is rounded up to the second, which a 5 s window feels.
      expect(r.elapsedMs).toBeLessThanOrEqual(r.looseMinMs * 1.1 + 5_000);
    },
  );

  it('costs far fewer store writes than requests (grants of several slots)', async () => {
    const r = await simulate({
      holders: 1,
      requestsEach: 200,
      limit: 1_000,
      windowMs: 900_000,
      latencyMs: 30,
    });
    expect(r.refused).toBe(0);
    // One probe, then grants of four, then the give-back.
    expect(r.writes).toBeLessThanOrEqual(200 / 4 + 4);
  });

  it('grows its grants while the record is contended: fewer store round trips', async () => {
    // 16 holders on one record, a large window: only the contention differs.
    const contended = {
      holders: 16,
      requestsEach: 40,
      limit: 10_000,
      windowMs: 900_000,
      latencyMs: 30,
      storeLatencyMs: 5,
    };
    const fixed = await simulate({ ...contended, maxGrantSize: 4 });
    const grown = await simulate(contended);
    expect(fixed.refused + grown.refused).toBe(0);
    expect(grown.done).toEqual(Array(16).fill(40));
    // Measured: 178 writes with grants of 4, 83-85 grown; store round trips (writes and lost
    // races) 243-286 against 167-180.
    expect(grown.writes).toBeLessThan(fixed.writes * 0.75);
    expect(grown.writes + grown.conflicts).toBeLessThan(fixed.writes + fixed.conflicts);
  });

  it('holds the app-wide minimum interval across holders', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const sent: number[] = [];
    const holder = async (h: number) => {
      const budget = new SharedRateBudget({ store, clock, holder: `h${h}`, minIntervalMs: 1_000 });
      for (let i = 0; i < 5; i++) {
        await budget.acquire(BUCKET);
        sent.push(clock.now());
        budget.observe(BUCKET, { limit: 450, remaining: 400, resetAtMs: clock.now() + 900_000 }, 0);
      }
      await budget.release();
    };
    await clock.run([holder(0), holder(1), holder(2)]);
    sent.sort((a, b) => a - b);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('spaces search/all requests by more than a second across holders', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const sent: number[] = [];
    const holder = async (h: number) => {
      const budget = new SharedRateBudget({ store, clock, holder: `h${h}`, minIntervalMs: 0 });
      for (let i = 0; i < 4; i++) {
        await budget.acquire('search_all');
        sent.push(clock.now());
        budget.observe('search_all', { limit: 300, remaining: 250, resetAtMs: clock.now() + 900_000 }, 0);
      }
      await budget.release();
    };
    await clock.run([holder(0), holder(1)]);
    sent.sort((a, b) => a - b);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThan(1_000);
  });

  it('a 429 seen by one holder pauses every holder until its reset', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const a = new SharedRateBudget({ store, clock, holder: 'a', minIntervalMs: 0 });
    const b = new SharedRateBudget({ store, clock, holder: 'b', minIntervalMs: 0 });
    const reset = Math.ceil((clock.now() + 60_000) / 1000) * 1000;
    const run = async () => {
      await a.acquire(BUCKET);
      a.observe(BUCKET, { limit: 450, remaining: 0, resetAtMs: reset }, 0);
      await a.release();
      await b.acquire(BUCKET);
      return clock.now();
    };
    const [sentAt] = await clock.run([run()]);
    expect(sentAt).toBeGreaterThanOrEqual(reset);
  });

  it('gives back unused slots: another holder can use them at once', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const a = new SharedRateBudget({ store, clock, holder: 'a', minIntervalMs: 0 });
    const run = async () => {
      await a.acquire(BUCKET);
      a.observe(BUCKET, { limit: 10, remaining: 9, resetAtMs: clock.now() + 900_000 }, 0);
      await a.acquire(BUCKET); // a grant of several slots; one used
      const held = (await store.read(BUCKET)).state!;
      await a.release();
      return { held, after: (await store.read(BUCKET)).state! };
    };
    const [result] = await clock.run([run()]);
    const { held, after } = result!;
    expect(Object.keys(held.holders)).toEqual(['a']);
    expect(after.holders).toEqual({});
    // 10 - the two used: every other slot counts again.
    expect(after.remaining).toBe(8);
  });

  it('gives the slot back and throws DeadlineError when the wait would pass the deadline', async () => {
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const a = new SharedRateBudget({ store, clock, holder: 'a', minIntervalMs: 0 });
    const run = async () => {
      await a.acquire(BUCKET);
      a.observe(BUCKET, { limit: 10, remaining: 0, resetAtMs: clock.now() + 60_000 }, 0);
      await expect(a.acquire(BUCKET, { deadlineMs: clock.now() + 1_000 })).rejects.toThrow(DeadlineError);
      return (await store.read(BUCKET)).state!;
    };
    const [state] = await clock.run([run()]);
    expect(state?.holders).toEqual({});
  });
  it('drops a granted slot whose window reset before its holder could send it (a starved process)', async () => {
    // Prepare: 10 requests per 5 s. Holder a takes a grant of several slots, sends one, then stalls
    // for longer than the window (a process starved of CPU); meanwhile b spends the new window.
    const clock = new VirtualClock();
    const store = new MemoryRateBudgetStore();
    const server = new WindowServer(10, 5_000);
    // No pacing: b may spend the whole window at once.
    const a = new SharedRateBudget({ store, clock, holder: 'a', minIntervalMs: 0, pacingThreshold: 1 });
    const b = new SharedRateBudget({ store, clock, holder: 'b', minIntervalMs: 0, pacingThreshold: 1 });
    const send = async (budget: SharedRateBudget) => {
      await budget.acquire(BUCKET);
      const sent = server.take(clock.now());
      await clock.sleep(10);
      budget.observe(BUCKET, sent.snapshot, clock.now() - sent.dateMs);
    };
    const holderA = async () => {
      await send(a); // the probe
      await send(a); // the first slot of a grant of four
      await clock.sleep(7_000);
      // Act: a's next slot was counted in the window that has reset since.
      await send(a);
      await a.release();
      return a.staleSlots;
    };
    const holderB = async () => {
      await clock.sleep(6_500);
      for (let i = 0; i < 10; i++) await send(b);
      await b.release();
      return b.staleSlots;
    };

    // Act
    const [stale] = await clock.run([holderA(), holderB()]);

    // Assess: no 429; a sent its third request only once b's window had reset.
    expect(server.refused).toBe(0);
    expect(stale).toBeGreaterThan(0);
    expect(server.arrivals).toHaveLength(13);
  });
});
