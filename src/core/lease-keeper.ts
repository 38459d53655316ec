/** Holds a stream's lease for the duration of its poll: renews it at half its TTL and before long waits. */
import type { CheckpointStore, Lease } from './ports/checkpoint-store.js';
import type { Clock } from './ports/clock.js';

/** The lease of the stream being polled, kept alive for as long as the poll needs it. */
export class LeaseKeeper {
  #lease: Lease;
  #renewing: Promise<void> | undefined;

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
    // The page read ahead and the batch being saved may both ask: one renewal at a time.
    while (this.#renewing !== undefined) await this.#renewing;
    const now = this.clock.now();
    if (now + forMs + this.ttlMs / 2 < this.#lease.expiresAtMs) return;
    this.#renewing = this.store.renewLease(this.#lease, forMs + this.ttlMs, now).then((lease) => {
      this.#lease = lease;
    });
    try {
      await this.#renewing;
    } finally {
      this.#renewing = undefined;
    }
  }

  /**
   * True when {@link ensure} with `forMs` would renew now, or wait for a renewal in flight. A plain
   * check, so that a run of a hundred streams does not start a hundred async calls per page to find
   * that none is due.
   */
  due(forMs = 0): boolean {
    return (
      this.#renewing !== undefined || this.clock.now() + forMs + this.ttlMs / 2 >= this.#lease.expiresAtMs
    );
  }

  async release(): Promise<void> {
    await this.store.releaseLease(this.#lease);
  }
}

/**
 * The leases of every stream open in one execution. A stream waiting for its turn makes no request of
 * its own, so whoever waits (a rate-limit sleep, a backoff) keeps the others' leases alive too.
 */
export class LeaseSet {
  readonly #keepers = new Set<LeaseKeeper>();

  add(keeper: LeaseKeeper): void {
    this.#keepers.add(keeper);
  }

  delete(keeper: LeaseKeeper): void {
    this.#keepers.delete(keeper);
  }

  /**
   * Renews `own` (a lost lease rejects) and, best effort, every other lease of the set: a lease lost
   * by another stream is that stream's failure, found at its own next write.
   */
  async ensure(own: LeaseKeeper, forMs = 0): Promise<void> {
    await own.ensure(forMs);
    await this.#renewDue(forMs, own);
  }

  /** Best effort: renews every lease of the set that is past half its TTL (streams waiting for a turn). */
  async ensureAll(): Promise<void> {
    await this.#renewDue(0, undefined);
  }

  /** Renews, best effort, the leases (but `skip`) that are due for a wait of `forMs`. */
  async #renewDue(forMs: number, skip: LeaseKeeper | undefined): Promise<void> {
    const renewals: Promise<void>[] = [];
    for (const k of this.#keepers) {
      if (k !== skip && k.due(forMs)) renewals.push(k.ensure(forMs).catch(() => undefined));
    }
    await Promise.all(renewals);
  }
}
