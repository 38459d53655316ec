/**
 * The negative control's checkpoint: the official recipe ("next since_id = the first page's
 * newest_id"), persisted as soon as a sweep saves anything. It wraps a real store and forgets the
 * sweep, so a run that stops before the older pages are delivered loses them for good. The poller
 * must never behave like this; the SIGKILL test proves that its measurement would catch it.
 */

import { compareIds } from '../../../src/core/ids.js';
import type { Checkpoint, Lease } from '../../../src/core/ports/checkpoint-store.js';
import { ForwardingCheckpointStore } from '../../support/forwarding-store.js';

export class NaiveCheckpointStore extends ForwardingCheckpointStore {
  override save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const sweep = checkpoint.sweep;
    if (sweep === null) return this.inner.save(checkpoint, lease);
    const newest = compareIds(sweep.newestId, checkpoint.sinceId) > 0 ? sweep.newestId : checkpoint.sinceId;
    return this.inner.save({ ...checkpoint, sinceId: newest, sweep: null }, lease);
  }
}
