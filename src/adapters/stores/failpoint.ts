/**
 * Test-only CheckpointStore decorator: the inner store saves the checkpoint, then the failpoint runs
 * before `save` resolves. A process killed there has the checkpoint stored without the core having
 * seen the acknowledgement: the "after checkpoint" crash of the crash matrix. Every other call goes
 * straight through. Composed only when a failpoint is set (src/entrypoints/failpoints.ts).
 */
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';
import { Failpoint, type FailpointLabel } from '../../core/run-types.js';
import { ForwardingCheckpointStore } from './forwarding.js';

export class FailpointStore extends ForwardingCheckpointStore {
  constructor(
    inner: CheckpointStore,
    private readonly failpoint: (label: FailpointLabel) => void | Promise<void>,
  ) {
    super(inner);
  }

  override async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    await this.inner.save(checkpoint, lease);
    await this.failpoint(Failpoint.afterCheckpoint);
  }
}
