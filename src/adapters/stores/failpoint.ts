/**
 * Test-only CheckpointStore decorator: the inner store saves the checkpoint, then the failpoint runs
 * before `save` resolves. A process killed there has the checkpoint stored without the core having
 * seen the acknowledgement: the "after checkpoint" crash of the crash matrix. Every other call goes
 * straight through. Composed only when a failpoint is set (src/entrypoints/failpoints.ts).
 */
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';
import { Failpoint, type FailpointLabel } from '../../core/run-types.js';

export class FailpointStore implements CheckpointStore {
  constructor(
    private readonly inner: CheckpointStore,
    private readonly failpoint: (label: FailpointLabel) => void | Promise<void>,
  ) {}

  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    await this.inner.save(checkpoint, lease);
    await this.failpoint(Failpoint.afterCheckpoint);
  }

  load(stream: string): Promise<Checkpoint | null> {
    return this.inner.load(stream);
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
