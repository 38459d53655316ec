/**
 * A CheckpointStore that hands every call to another one: the base of test decorators that change
 * one call and pass the rest through (the negative control's naive store).
 */
import type { Checkpoint, CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';

export class ForwardingCheckpointStore implements CheckpointStore {
  constructor(protected readonly inner: CheckpointStore) {}

  load(stream: string): Promise<Checkpoint | null> {
    return this.inner.load(stream);
  }

  save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    return this.inner.save(checkpoint, lease);
  }

  acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    return this.inner.acquireLease(stream, owner, ttlMs, nowMs);
  }

  renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    return this.inner.renewLease(lease, ttlMs, nowMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.inner.releaseLease(lease);
  }

  list(): Promise<Checkpoint[]> {
    return this.inner.list();
  }

  reset(stream: string): Promise<void> {
    return this.inner.reset(stream);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
