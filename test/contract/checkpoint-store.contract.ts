import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointConflictError } from '../../src/core/errors.js';
import {
  CHECKPOINT_SCHEMA_VERSION,
  type Checkpoint,
  type CheckpointStore,
  type Lease,
} from '../../src/core/ports/checkpoint-store.js';

/** What a store factory hands the suite: a fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  readonly store: CheckpointStore;
  cleanup(): Promise<void>;
}

/** Ids near 2^63: a Number round trip would change every one of them. */
const HIGH = '9223372036854775000';
const HIGHER = '9223372036854775100';
const HIGHEST = '9223372036854775807';
const T0 = 1_800_000_000_000;
const TTL = 60_000;

function checkpoint(stream: string, sinceId: string, extra: Partial<Checkpoint> = {}): Checkpoint {
  return {
    stream,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    sinceId,
    sweep: null,
    updatedAt: '2027-01-15T08:00:00.000Z',
    writer: 'exec-a',
    ...extra,
  };
}

/**
 * The behaviour every CheckpointStore must share (docs/architecture.md, "The frontier").
 * `makeStore` returns a fresh, empty store each time.
 */
export function describeCheckpointStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: CheckpointStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const take = async (stream: string, owner = 'exec-a', now = T0): Promise<Lease> => {
      const lease = await store.acquireLease(stream, owner, TTL, now);
      expect(lease).not.toBeNull();
      return lease!;
    };

    it('loads null for a stream that has never been saved', async () => {
      expect(await store.load('search:never')).toBeNull();
    });

    it('round-trips ids near 2^63 exactly, as strings', async () => {
      const lease = await take('s');
      const saved = checkpoint('s', HIGH, { userId: HIGHEST });
      await store.save(saved, lease);
      const loaded = await store.load('s');
      expect(loaded).toEqual(saved);
      expect(typeof loaded?.sinceId).toBe('string');
    });

    it('round-trips every sweep field', async () => {
      const lease = await take('s');
      const sweep = { newestId: HIGHEST, untilId: HIGHER, nextToken: 'b26v89c19zqg8o3fr5' };
      await store.save(checkpoint('s', HIGH, { sweep }), lease);
      expect((await store.load('s'))?.sweep).toEqual(sweep);
      await store.save(
        checkpoint('s', HIGH, { sweep: { newestId: HIGHEST, untilId: null, nextToken: null } }),
        lease,
      );
      expect((await store.load('s'))?.sweep).toEqual({
        newestId: HIGHEST,
        untilId: null,
        nextToken: null,
      });
      await store.save(checkpoint('s', HIGHEST), lease);
      expect((await store.load('s'))?.sweep).toBeNull();
    });

    it('keeps the fair-share lag with the checkpoint, in the same write, and forgets it at 0', async () => {
      const lease = await take('s');
      await store.save({ ...checkpoint('s', HIGH), fairLag: 12.5 }, lease);
      expect((await store.load('s'))?.fairLag).toBe(12.5);
      await store.save({ ...checkpoint('s', HIGHER), fairLag: -3.25 }, lease);
      expect(await store.load('s')).toMatchObject({ sinceId: HIGHER, fairLag: -3.25 });
      await store.save(checkpoint('s', HIGHER), lease);
      expect(await store.load('s')).not.toHaveProperty('fairLag');
    });

    it('moves since_id forward and rejects moving it backwards with CheckpointConflictError', async () => {
      const lease = await take('s');
      await store.save(checkpoint('s', HIGHER), lease);
      await store.save(checkpoint('s', HIGHER, { writer: 'exec-a2' }), lease);
      await expect(store.save(checkpoint('s', HIGH), lease)).rejects.toBeInstanceOf(CheckpointConflictError);
      expect((await store.load('s'))?.sinceId).toBe(HIGHER);
    });

    it('compares since_id numerically, not as text', async () => {
      const lease = await take('s');
      await store.save(checkpoint('s', '999'), lease);
      await store.save(checkpoint('s', '1000'), lease);
      expect((await store.load('s'))?.sinceId).toBe('1000');
      await expect(store.save(checkpoint('s', '99'), lease)).rejects.toBeInstanceOf(CheckpointConflictError);
    });

    it('refuses a lease held by another owner until it expires', async () => {
      const first = await take('s', 'exec-a');
      expect(await store.acquireLease('s', 'exec-b', TTL, T0 + TTL - 1)).toBeNull();
      const second = await store.acquireLease('s', 'exec-b', TTL, T0 + TTL + 1);
      expect(second?.owner).toBe('exec-b');
      expect(second!.fence).toBeGreaterThan(first.fence);
    });

    it('rejects a save carrying a stale fence once another owner took the expired lease', async () => {
      const stale = await take('s', 'exec-a');
      await store.save(checkpoint('s', HIGH), stale);
      const fresh = await take('s', 'exec-b', T0 + TTL + 1);
      await expect(store.save(checkpoint('s', HIGHER), stale)).rejects.toBeInstanceOf(
        CheckpointConflictError,
      );
      await store.save(checkpoint('s', HIGHER, { writer: 'exec-b' }), fresh);
      expect(await store.load('s')).toMatchObject({ sinceId: HIGHER, writer: 'exec-b' });
    });

    it('rejects a save under a lease that was never acquired', async () => {
      const forged: Lease = { stream: 's', owner: 'exec-z', fence: 7, expiresAtMs: T0 + TTL };
      await expect(store.save(checkpoint('s', HIGH), forged)).rejects.toBeInstanceOf(CheckpointConflictError);
      expect(await store.load('s')).toBeNull();
    });

    it('renews a held lease and refuses to renew a lost one', async () => {
      const lease = await take('s', 'exec-a');
      const renewed = await store.renewLease(lease, TTL, T0 + TTL - 10);
      expect(renewed.expiresAtMs).toBe(T0 + 2 * TTL - 10);
      expect(await store.acquireLease('s', 'exec-b', TTL, T0 + TTL + 1)).toBeNull();
      await store.save(checkpoint('s', HIGH), renewed);
      const taken = await take('s', 'exec-b', T0 + 3 * TTL);
      await expect(store.renewLease(renewed, TTL, T0 + 3 * TTL)).rejects.toBeInstanceOf(
        CheckpointConflictError,
      );
      expect(taken.fence).toBeGreaterThan(renewed.fence);
    });

    it('lets another owner take a released lease at once, with a larger fence', async () => {
      const lease = await take('s', 'exec-a');
      await store.releaseLease(lease);
      const next = await store.acquireLease('s', 'exec-b', TTL, T0 + 1);
      expect(next?.owner).toBe('exec-b');
      expect(next!.fence).toBeGreaterThan(lease.fence);
      await store.releaseLease(lease);
      expect(await store.acquireLease('s', 'exec-c', TTL, T0 + 2)).toBeNull();
    });

    it('keeps leases of different streams apart', async () => {
      await take('s1', 'exec-a');
      expect(await store.acquireLease('s2', 'exec-b', TTL, T0)).not.toBeNull();
    });

    it('lists every checkpoint and forgets a reset one', async () => {
      const a = await take('search:a');
      const b = await take('timeline:b');
      await store.save(checkpoint('search:a', HIGH), a);
      await store.save(checkpoint('timeline:b', HIGHER, { userId: '2244994945' }), b);
      const listed = await store.list();
      expect(listed.map((c) => c.stream).sort()).toEqual(['search:a', 'timeline:b']);
      expect(listed.find((c) => c.stream === 'timeline:b')).toMatchObject({
        sinceId: HIGHER,
        userId: '2244994945',
      });
      await store.reset('search:a');
      expect(await store.load('search:a')).toBeNull();
      expect((await store.list()).map((c) => c.stream)).toEqual(['timeline:b']);
    });

    it('starts over after a reset: a lower since_id can be saved again', async () => {
      const lease = await take('s');
      await store.save(checkpoint('s', HIGHER), lease);
      await store.reset('s');
      await store.save(checkpoint('s', HIGH), lease);
      expect((await store.load('s'))?.sinceId).toBe(HIGH);
    });
  });
}
