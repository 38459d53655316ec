/**
 * The negative control's checkpoint: the official recipe ("next since_id = the first page's
 * newest_id"), persisted as soon as a sweep saves anything. It wraps a real store and forgets the
 * sweep, so a run that stops before the older pages are delivered loses them for good. The poller
 * must never behave like this; the SIGKILL test proves that its measurement would catch it.
 */
import { compareIds } from '../../../src/core/ids.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../../src/core/ports/checkpoint-store.js';

export class NaiveCheckpointStore implements CheckpointStore {
  constructor(private readonly inner: CheckpointStore) {}

  load(stream: string): Promise<Checkpoint | null> {
    return this.inner.load(stream);
  }

  save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const sweep = checkpoint.sweep;
    if (sweep === null) return this.inner.save(checkpoint, lease);
    const newest = compareIds(sweep.newestId, checkpoint.sinceId) > 0 ? sweep.newestId : checkpoint.sinceId;
    return this.inner.save({ ...checkpoint, sinceId: newest, sweep: null }, lease);
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
