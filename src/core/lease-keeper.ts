/** Holds a stream's lease for the duration of its poll: renews it at half its TTL and before long waits. */
import type { CheckpointStore, Lease } from './ports/checkpoint-store.js';
import type { Clock } from './ports/clock.js';

/** The lease of the stream being polled, kept alive for as long as the poll needs it. */
export class LeaseKeeper {
  #lease: Lease;

  constructor(
    private readonly store: CheckpointStore,
    lease: Lease,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {
    this.#lease = lease;
  }

  get lease(): Lease {
    return this.#lease;
  }

  /**
   * Renews when less than half the TTL would be left after `forMs` more milliseconds (a wait about to
   * start), so the lease cannot lapse during a rate-limit sleep and be taken by another execution.
   * A lost lease rejects with CheckpointConflictError (from the store).
   */
  async ensure(forMs = 0): Promise<void> {
    const now = this.clock.now();
    if (now + forMs + this.ttlMs / 2 < this.#lease.expiresAtMs) return;
    this.#lease = await this.store.renewLease(this.#lease, forMs + this.ttlMs, now);
  }

  async release(): Promise<void> {
    await this.store.releaseLease(this.#lease);
  }
}
