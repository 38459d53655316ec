/**
 * The leases of a run's streams (src/core/lease-keeper.ts): whoever waits keeps the others' leases
 * alive, and only the leases past half their TTL are renewed (a run of a hundred streams asks at every
 * page, so a lease that is not due must cost no store call).
 */
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { LeaseKeeper, LeaseSet } from '../../src/core/lease-keeper.js';
import type { Lease } from '../../src/core/ports/checkpoint-store.js';
import { ManualClock } from '../support/manual-clock.js';

const TTL = 60_000;

/** A memory store that counts its lease renewals per stream. */
class CountingStore extends MemoryCheckpointStore {
  readonly renewals = new Map<string, number>();
  override async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    this.renewals.set(lease.stream, (this.renewals.get(lease.stream) ?? 0) + 1);
    return super.renewLease(lease, ttlMs, nowMs);
  }
}

async function keeperFor(store: CountingStore, clock: ManualClock, stream: string): Promise<LeaseKeeper> {
  const lease = await store.acquireLease(stream, 'run-1', TTL, clock.now());
  if (lease === null) throw new Error(`no lease for ${stream}`);
  return new LeaseKeeper(store, lease, TTL, clock);
}

describe('LeaseSet', () => {
  it('renews no lease that is not past half its TTL', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const store = new CountingStore();
    const set = new LeaseSet();
    const keepers = await Promise.all(['a', 'b', 'c'].map((s) => keeperFor(store, clock, s)));
    for (const k of keepers) set.add(k);
    clock.advance(TTL / 2 - 1);
    await set.ensureAll();
    await set.ensure(keepers[0] as LeaseKeeper);
    expect(store.renewals.size).toBe(0);
    expect(keepers.map((k) => k.due())).toEqual([false, false, false]);
  });

  it('renews exactly the leases that are due, the others kept as they are', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const store = new CountingStore();
    const set = new LeaseSet();
    const early = await keeperFor(store, clock, 'early');
    clock.advance(TTL / 4);
    const late = await keeperFor(store, clock, 'late');
    set.add(early);
    set.add(late);
    clock.advance(TTL / 4); // early is at half its TTL, late at a quarter
    expect([early.due(), late.due()]).toEqual([true, false]);
    const lateBefore = late.lease.expiresAtMs;
    await set.ensureAll();
    expect(Object.fromEntries(store.renewals)).toEqual({ early: 1 });
    expect(early.lease.expiresAtMs).toBe(clock.now() + TTL);
    expect(late.lease.expiresAtMs).toBe(lateBefore);
  });

  it('before a wait, renews every lease that would pass half its TTL during it', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const store = new CountingStore();
    const set = new LeaseSet();
    const own = await keeperFor(store, clock, 'own');
    const other = await keeperFor(store, clock, 'other');
    set.add(own);
    set.add(other);
    await set.ensure(own, TTL); // a wait as long as the TTL
    expect(Object.fromEntries(store.renewals)).toEqual({ own: 1, other: 1 });
    expect(other.lease.expiresAtMs).toBe(clock.now() + 2 * TTL);
  });
});
