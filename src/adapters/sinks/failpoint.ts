/**
 * Test-only Sink decorator: the inner sink writes the batch, then the failpoint runs before `write`
 * resolves. A process killed there has the posts on disk without the core having seen the
 * acknowledgement: the "after delivery, before acknowledgement" crash of the crash matrix. Likewise
 * after a flush: everything is durable and the checkpoint not yet saved ("after acknowledgement,
 * before checkpoint"). Composed only when a failpoint is set (src/entrypoints/failpoints.ts).
 */
import type { Batch, Sink } from '../../core/ports/sink.js';
import { Failpoint, type FailpointLabel } from '../../core/run-types.js';

export class FailpointSink implements Sink {
  constructor(
    private readonly inner: Sink,
    private readonly failpoint: (label: FailpointLabel) => void | Promise<void>,
  ) {}

  async write(batch: Batch, signal?: AbortSignal): Promise<void> {
    await this.inner.write(batch, signal);
    await this.failpoint(Failpoint.afterDeliveryBeforeAck);
  }

  async flush(signal?: AbortSignal): Promise<void> {
    await this.inner.flush(signal);
    await this.failpoint(Failpoint.afterAckBeforeCheckpoint);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
