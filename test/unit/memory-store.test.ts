import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { CheckpointConflictError, CorruptCheckpointError } from '../../src/core/errors.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../src/core/ports/checkpoint-store.js';

const cp = (since: string, sweep: Checkpoint['sweep'] = null): Checkpoint => ({
  stream: 's',
  schemaVersion: CHECKPOINT_SCHEMA_VERSION,
  sinceId: since,
  sweep,
  updatedAt: '2026-11-28T12:00:00.000Z',
  writer: 'w',
});

describe('MemoryCheckpointStore', () => {
  it('returns null for a stream without checkpoint, then what was saved', async () => {
    const store = new MemoryCheckpointStore();
    expect(await store.load('s')).toBeNull();
    const lease = (await store.acquireLease('s', 'a', 1000, 0))!;
    await store.save(cp('100', { newestId: '200', untilId: '150', nextToken: 't' }), lease);
    expect(await store.load('s')).toEqual(cp('100', { newestId: '200', untilId: '150', nextToken: 't' }));
    expect(await store.list()).toHaveLength(1);
  });

  it('refuses a lease held by another owner until it expires, and raises the fence each time', async () => {
    const store = new MemoryCheckpointStore();
    const a = (await store.acquireLease('s', 'a', 1000, 0))!;
    expect(await store.acquireLease('s', 'b', 1000, 999)).toBeNull();
    const b = (await store.acquireLease('s', 'b', 1000, 1000))!;
    expect(b.fence).toBeGreaterThan(a.fence);
  });

  it('rejects a write with a stale fence', async () => {
    const store = new MemoryCheckpointStore();
    const a = (await store.acquireLease('s', 'a', 1000, 0))!;
    await store.acquireLease('s', 'b', 1000, 5000);
    await expect(store.save(cp('100'), a)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('rejects a write after the lease was released', async () => {
    const store = new MemoryCheckpointStore();
    const a = (await store.acquireLease('s', 'a', 1000, 0))!;
    await store.releaseLease(a);
    await expect(store.save(cp('100'), a)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('rejects a write that would move since_id backwards (compared as BigInt)', async () => {
    const store = new MemoryCheckpointStore();
    const lease = (await store.acquireLease('s', 'a', 1000, 0))!;
    await store.save(cp('1000'), lease);
    await expect(store.save(cp('999'), lease)).rejects.toBeInstanceOf(CheckpointConflictError);
    await store.save(cp('1000'), lease);
    await store.save(cp('10000'), lease);
  });

  it('renews a held lease and refuses to renew a lost one', async () => {
    const store = new MemoryCheckpointStore();
    const a = (await store.acquireLease('s', 'a', 1000, 0))!;
    const renewed = await store.renewLease(a, 1000, 900);
    expect(renewed.expiresAtMs).toBe(1900);
    expect(await store.acquireLease('s', 'b', 1000, 1500)).toBeNull();
    await store.acquireLease('s', 'b', 1000, 2000);
    await expect(store.renewLease(renewed, 1000, 2001)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('release of a lost lease is a no-op', async () => {
    const store = new MemoryCheckpointStore();
    const a = (await store.acquireLease('s', 'a', 1000, 0))!;
    const b = (await store.acquireLease('s', 'b', 1000, 2000))!;
    await store.releaseLease(a);
    expect(store.currentLease('s')?.fence).toBe(b.fence);
  });

  it('does not share objects with callers', async () => {
    const store = new MemoryCheckpointStore();
    const lease = (await store.acquireLease('s', 'a', 1000, 0))!;
    const saved = { ...cp('100'), sweep: { newestId: '200', untilId: null, nextToken: null } };
    await store.save(saved, lease);
    (saved.sweep as { untilId: string | null }).untilId = '150';
    expect((await store.load('s'))?.sweep?.untilId).toBeNull();
  });

  it('migrates a legacy bare since_id and reports a corrupt item with the stream name', async () => {
    const store = new MemoryCheckpointStore();
    store.putRaw('s', '12345');
    expect((await store.load('s'))?.sinceId).toBe('12345');
    store.putRaw('s', { ...cp('100'), sinceId: 'abc' });
    await expect(store.load('s')).rejects.toThrow(CorruptCheckpointError);
    await expect(store.load('s')).rejects.toThrow(/stream "s"/);
  });

  it('reset deletes the checkpoint', async () => {
    const store = new MemoryCheckpointStore();
    const lease = (await store.acquireLease('s', 'a', 1000, 0))!;
    await store.save(cp('100'), lease);
    await store.reset('s');
    expect(await store.load('s')).toBeNull();
  });
});
