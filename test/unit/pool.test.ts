import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { Gate, mapLimit } from '../../src/core/pool.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Counts the calls of `fn` running at once. */
function counted<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const state = { now: 0, most: 0 };
  const wrapped = async (...args: A): Promise<R> => {
    state.now++;
    state.most = Math.max(state.most, state.now);
    try {
      await tick(); // a store round trip
      return await fn(...args);
    } finally {
      state.now--;
    }
  };
  return { state, wrapped };
}

describe('mapLimit and Gate', () => {
  it('maps every item in order, never more than the limit at once', async () => {
    const { state, wrapped } = counted(async (x: number) => x * 2);
    const items = Array.from({ length: 37 }, (_, i) => i);
    expect(await mapLimit(items, 5, wrapped)).toEqual(items.map((x) => x * 2));
    expect(state.most).toBe(5);
    expect(await mapLimit([], 5, wrapped)).toEqual([]);
  });

  it('lets `size` calls run at once and the others in call order', async () => {
    const gate = new Gate(2);
    const { state, wrapped } = counted(async (x: number) => x);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((x) => gate.run(() => wrapped(x).then((v) => order.push(v)))));
    expect(state.most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('runExecution opens and closes its streams several at a time', () => {
  it('overlaps the streams’ store round trips, and their username lookups stay within concurrency', async () => {
    const h = harness(recentIds(START, 40));
    const store = new MemoryCheckpointStore();
    const acquire = counted(store.acquireLease.bind(store));
    const release = counted(store.releaseLease.bind(store));
    store.acquireLease = acquire.wrapped;
    store.releaseLease = release.wrapped;
    const users = Array.from({ length: 6 }, (_, i) => `u${i}`);
    for (const [i, u] of users.entries()) h.api.users.set(u, String(100 + i));
    let lookupsNow = 0;
    let lookupsMost = 0;
    h.api.beforeAnswer = async (request) => {
      if (request.endpoint !== 'user_by_username') return;
      lookupsNow++;
      lookupsMost = Math.max(lookupsMost, lookupsNow);
      await tick();
      lookupsNow--;
    };
    const streams: StreamSpec[] = [
      ...Array.from({ length: 20 }, (_, i) =>
        searchStream({ name: `s${i}`, initial: { kind: 'since_id', id: '1' } }),
      ),
      ...users.map((u) => ({
        ...searchStream({ name: `t${u}` }),
        source: { kind: 'timeline' as const, user: `@${u}`, exclude: [] },
      })),
    ];
    const summary = await runExecution({ ...h.deps, store }, streams, testOptions({ concurrency: 2 }));
    expect(summary.streams.map((s) => s.stream)).toEqual(streams.map((s) => s.name)); // config order
    expect(summary.streams.every((s) => s.outcome === 'caught_up')).toBe(true);
    expect(acquire.state.most).toBeGreaterThan(1);
    expect(acquire.state.most).toBeLessThanOrEqual(16);
    expect(release.state.most).toBeGreaterThan(1);
    expect(lookupsMost).toBe(2);
    expect(h.api.requests.filter((r) => r.endpoint === 'user_by_username')).toHaveLength(6);
  });
});
