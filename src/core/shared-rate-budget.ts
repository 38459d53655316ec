/**
 * One process's handle on the app-wide rate budget. It reserves slots in small grants (one store
 * round trip per grant, not per request), carries the headers it saw to the store on its next
 * round trip (at once when they say the window is spent), and gives back what it did not use.
 *
 *   acquire ─▶ local grant has a slot? ── yes ─▶ wait until its instant ─▶ send
 *                  │ no
 *                  ▼
 *   store.read ─▶ observe(pending headers) ─▶ grantSlots ─▶ store.write(if version unchanged)
 *                  ▲                                          │ lost the race
 *                  └──────────────────────────────────────────┘ (bounded retries)
 */
import { DeadlineError, PollerError } from './errors.js';
import type { Clock } from './ports/clock.js';
import type { BudgetState, RateBudgetStore, Slot } from './ports/rate-budget.js';
import type { RateLimitSnapshot } from './ports/x-api.js';
import {
  type BudgetObservation,
  type BudgetRules,
  emptyBudget,
  giveBack,
  grantSlots,
  observe,
} from './rate-budget.js';
import type { BeforeRequestOptions } from './request-wait.js';

/** Default margin after a reset for the shared budget (see `SharedRateBudgetOptions.resetMarginMs`). */
export const SHARED_RESET_MARGIN_MS = 100;
/** A slot used this late, after its window's reset, is dropped (see `acquire`). */
const STALE_SLOT_MS = 1_000;
/** How long a smallest clock offset is trusted before a larger one may replace it. */
const OFFSET_TTL_MS = 600_000;

/** Options of {@link SharedRateBudget}. */
export interface SharedRateBudgetOptions {
  readonly store: RateBudgetStore;
  readonly clock: Clock;
  /** Who holds the slots, as `status` shows it (e.g. host:pid or a worker id). */
  readonly holder: string;
  /** Minimum time between two requests to one endpoint, whole app. @default 1000 */
  readonly minIntervalMs?: number;
  /** @default 0.8 */
  readonly pacingThreshold?: number;
  /**
   * Added after a reset. Smaller than the per-process limiter's second: resets are measured with
   * the smallest clock offset this process has seen (see `observe`), which is never earlier than
   * the server's; the margin only covers the clocks of the machines sharing the store.
   * @default 100
   */
  readonly resetMarginMs?: number;
  /** @default 1000 */
  readonly probeWaitMs?: number;
  /** Slots reserved per round trip when the record is not contended. @default 4 */
  readonly grantSize?: number;
  /**
   * Most slots per round trip: a reservation that lost a race doubles the next one's size up to
   * this (fewer writes on a record many holders want), and each one won at once brings it back
   * down by one towards `grantSize`. @default 16
   */
  readonly maxGrantSize?: number;
  /** A grant's later slots fall within this long after its first. @default 1000 */
  readonly horizonMs?: number;
  /** Compare-and-swap attempts before giving up on a contended record (also bounds `acquire`'s rounds, x50). @default 200 */
  readonly maxAttempts?: number;
}

/** The budget record stayed contended past every attempt (or the store failed). */
export class RateBudgetError extends PollerError {
  override readonly name: string = 'RateBudgetError';
  override readonly code: string = 'rate_budget';
}

/** The shared budget of one process: a local grant per endpoint on top of the store's record. */
export class SharedRateBudget {
  readonly #store: RateBudgetStore;
  readonly #clock: Clock;
  readonly #holder: string;
  readonly #rules: BudgetRules;
  readonly #grantSize: number;
  readonly #maxGrantSize: number;
  /** The size of the next grant, per bucket (see `maxGrantSize`). */
  readonly #want = new Map<string, number>();
  readonly #horizonMs: number;
  readonly #maxAttempts: number;
  readonly #grants = new Map<string, Slot[]>();
  readonly #reserving = new Map<string, Promise<{ slots: Slot[]; retryAtMs?: number }>>();
  readonly #pending = new Map<string, BudgetObservation[]>();
  /** `granted` of each record as last read or written by this process. */
  readonly #seenGranted = new Map<string, number>();
  /** Send instants of this process's requests not yet answered, per bucket, oldest first. */
  readonly #inFlight = new Map<string, number[]>();
  /** Buckets whose last request was a probe: its headers are written at once. */
  readonly #probing = new Set<string>();
  #offset: { readonly ms: number; readonly atMs: number } | undefined;
  #flushing: Promise<void> | undefined;
  #flushError: unknown;
  /** Store round trips that changed the record (grants, urgent headers, give-backs). */
  writes = 0;
  /** Conditional writes lost to another holder (each cost a read and a write). */
  conflicts = 0;
  /** Slots dropped unsent because their window reset before this process got to send them. */
  staleSlots = 0;

  constructor(options: SharedRateBudgetOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#holder = options.holder;
    this.#rules = {
      minIntervalMs: options.minIntervalMs ?? 1_000,
      pacingThreshold: options.pacingThreshold ?? 0.8,
      resetMarginMs: options.resetMarginMs ?? SHARED_RESET_MARGIN_MS,
      probeWaitMs: options.probeWaitMs ?? 1_000,
    };
    this.#grantSize = options.grantSize ?? 4;
    this.#maxGrantSize = Math.max(this.#grantSize, options.maxGrantSize ?? 16);
    this.#horizonMs = options.horizonMs ?? 1_000;
    this.#maxAttempts = options.maxAttempts ?? 200;
  }

  /** The holder name this process writes. */
  get holder(): string {
    return this.#holder;
  }

  /**
   * Waits for this process's next slot on `bucket` (reserving a grant when none is left), like
   * RateLimiter.beforeRequest. A slot past the deadline is given back and DeadlineError thrown.
   */
  async acquire(bucket: string, options: BeforeRequestOptions = {}): Promise<void> {
    const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;
    for (let round = 0; round < this.#maxAttempts * 50; round++) {
      await this.#settle();
      let slots = this.#grants.get(bucket);
      if (slots === undefined || slots.length === 0) {
        // One reservation per bucket at a time in this process (the read-ahead asks concurrently):
        // a second would race the first on the record and overwrite its grant.
        const inFlight = this.#reserving.get(bucket);
        if (inFlight !== undefined) {
          await inFlight.catch(() => {});
          continue;
        }
        const reserving = this.#reserve(bucket);
        this.#reserving.set(bucket, reserving);
        let grant: Awaited<typeof reserving>;
        try {
          grant = await reserving;
        } finally {
          this.#reserving.delete(bucket);
        }
        slots = grant.slots;
        this.#grants.set(bucket, slots);
        if (slots.length === 0) {
          const waitMs = Math.max(1, (grant.retryAtMs ?? this.#clock.now()) - this.#clock.now());
          if (this.#clock.now() + waitMs > deadlineMs) {
            throw new DeadlineError(`waiting for the rate-limit window of ${bucket} would pass the deadline`);
          }
          await this.#clock.sleep(waitMs, options.signal);
          continue;
        }
      }
      const slot = slots[0]!;
      const waitMs = slot.atMs - this.#clock.now();
      if (waitMs > 0) {
        if (this.#clock.now() + waitMs > deadlineMs) {
          await this.#giveBack(bucket);
          throw new DeadlineError(
            `a ${slot.reason} wait of ${waitMs} ms on ${bucket} would pass the deadline`,
          );
        }
        await options.onWait?.({
          waitMs,
          reason: slot.reason === 'none' ? 'min_interval' : slot.reason,
        });
        await this.#clock.sleep(waitMs, options.signal);
      }
      // The grant may have been given back while this waited (a 429 seen by this process).
      if (this.#grants.get(bucket)?.[0] !== slot) continue;
      slots.shift();
      const now = this.#clock.now();
      if (slot.validUntilMs !== undefined && now >= slot.validUntilMs && now - slot.atMs >= STALE_SLOT_MS) {
        // Its window has reset meanwhile and this process is late by far (starved or stalled): the
        // slot was counted there and is spent; sent now it would be a request the new window's
        // probe did not see. (A slot sent just after the reset, as in the normal flow, still
        // reaches the server before that probe and is in its headers.)
        this.staleSlots++;
        continue;
      }
      if (slot.probe === true) this.#probing.add(bucket);
      const sent = this.#inFlight.get(bucket) ?? [];
      // Requests that never got headers (network errors) stop counting after a minute.
      this.#inFlight.set(bucket, [...sent.filter((at) => now - at < 60_000).slice(-7), now]);
      return;
    }
    throw new RateBudgetError(`no slot on ${bucket} after ${this.#maxAttempts * 50} rounds`);
  }

  /**
   * Notes a response's headers. `offsetMs` is `local now - the server's Date` at receipt: the
   * Date header has whole seconds, so each offset overestimates the true one by up to a second
   * plus the latency; the smallest seen (renewed every 10 minutes) is the tightest bound that is
   * still never early, and resets are measured with it. The headers travel with the next round
   * trip; headers saying the window is spent are written at once, with this process's own unused
   * slots given back, so every holder stops until the reset.
   */
  observe(bucket: string, snapshot: RateLimitSnapshot, offsetMs: number | undefined): void {
    const now = this.#clock.now();
    if (
      offsetMs !== undefined &&
      (this.#offset === undefined || offsetMs <= this.#offset.ms || now - this.#offset.atMs > OFFSET_TTL_MS)
    ) {
      this.#offset = { ms: offsetMs, atMs: now };
    }
    const offset = this.#offset?.ms ?? 0;
    const day = snapshot.day;
    const obs: BudgetObservation = {
      limit: snapshot.limit,
      remaining: snapshot.remaining,
      resetAtMs: snapshot.resetAtMs + offset,
      receivedAtMs: now,
      sentAtMs: this.#inFlight.get(bucket)?.shift() ?? now,
      grantedBefore: this.#seenGranted.get(bucket) ?? 0,
      ...(day !== undefined && day.remaining <= 0
        ? { pauseUntilMs: day.resetAtMs + offset + this.#rules.resetMarginMs }
        : {}),
    };
    const list = this.#pending.get(bucket) ?? [];
    list.push(obs);
    if (list.length > 16) list.shift();
    this.#pending.set(bucket, list);
    const spent = obs.remaining <= 0 || obs.pauseUntilMs !== undefined;
    const probed = this.#probing.delete(bucket);
    if (spent || probed) {
      const previous = this.#flushing ?? Promise.resolve();
      this.#flushing = previous
        .then(() => (spent ? this.#giveBack(bucket) : this.#update(bucket, (state) => state)))
        .catch((error: unknown) => {
          this.#flushError = error;
        })
        .finally(() => {
          this.#flushing = undefined;
        });
    }
  }

  /** Gives back every unused slot and writes the headers not yet written (end of an execution). */
  async release(): Promise<void> {
    await this.#settle();
    const buckets = new Set([...this.#grants.keys(), ...this.#pending.keys()]);
    for (const bucket of buckets) await this.#giveBack(bucket);
  }

  /** Every endpoint's record, for `status`. */
  list(): Promise<BudgetState[]> {
    return this.#store.list();
  }

  async #settle(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#flushError !== undefined) {
      const error = this.#flushError;
      this.#flushError = undefined;
      throw error;
    }
  }

  async #reserve(bucket: string): Promise<{ slots: Slot[]; retryAtMs?: number }> {
    let granted: { slots: Slot[]; retryAtMs?: number } = { slots: [] };
    const want = this.#want.get(bucket) ?? this.#grantSize;
    const lostBefore = this.conflicts;
    await this.#update(bucket, (state, nowMs) => {
      const out = grantSlots(
        state,
        { holder: this.#holder, want, horizonMs: this.#horizonMs, nowMs },
        this.#rules,
      );
      granted =
        out.retryAtMs === undefined ? { slots: out.slots } : { slots: out.slots, retryAtMs: out.retryAtMs };
      return out.state;
    });
    const lost = this.conflicts > lostBefore;
    this.#want.set(
      bucket,
      lost ? Math.min(this.#maxGrantSize, want * 2) : Math.max(this.#grantSize, want - 1),
    );
    return granted;
  }

  async #giveBack(bucket: string): Promise<void> {
    const unused = (this.#grants.get(bucket) ?? []).map((s) => s.atMs);
    this.#grants.delete(bucket);
    if (unused.length === 0 && (this.#pending.get(bucket)?.length ?? 0) === 0) return;
    await this.#update(bucket, (state, nowMs) => giveBack(state, this.#holder, unused, nowMs));
  }

  /** Read, apply the pending headers and `change`, write if unchanged; bounded retries. */
  async #update(bucket: string, change: (state: BudgetState, nowMs: number) => BudgetState): Promise<void> {
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const { state, version } = await this.#store.read(bucket);
      const nowMs = this.#clock.now();
      const pending = this.#pending.get(bucket) ?? [];
      const base = state ?? emptyBudget(bucket, nowMs);
      let next = base;
      for (const obs of pending) next = observe(next, obs, nowMs, this.#rules);
      next = change(next, nowMs);
      if (next === base && pending.length === 0) return; // nothing to write (waiting on a probe)
      if (await this.#store.write(next, version)) {
        this.writes++;
        this.#seenGranted.set(bucket, next.granted);
        const left = this.#pending.get(bucket);
        if (left !== undefined) left.splice(0, pending.length);
        return;
      }
      // Lost the race to another holder: a short, spread-out pause before reading again.
      this.conflicts++;
      // Full jitter, growing with the attempts (capped at 200 ms), so that many holders spread out.
      await this.#clock.sleep(1 + Math.floor(Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
    }
    throw new RateBudgetError(
      `the rate budget of ${bucket} stayed contended after ${this.#maxAttempts} attempts`,
    );
  }
}
