/**
 * The scheduler: one run's budgets shared between its streams (docs/architecture.md, "Many streams").
 *
 *   open sessions ──▶ priority order (largest carried lag first, then config order)
 *        │
 *        ▼            ┌──────────────────────── one turn = one page ───────────────────────────┐
 *   every stream runs │ a stream asks for a turn ──▶ shares = waterFill(post budget)           │
 *   as a coroutine;   │ eligible = asking and below its share ──▶ pickNext (weighted RR)       │
 *   one holds the     │ the holder requests its page, validates it and releases the turn;      │
 *   turn at a time    │ it delivers and starts its commit while the next holder requests       │
 *                     └──────── until no one is eligible, or the deadline / usage cap ─────────┘
 *        │
 *        ▼
 *   the others get their stop reason; the summaries, each stream's share, the lags for next run
 *
 * Only the holder of the turn makes requests, so the rate limiter sees one stream at a time as
 * before; the holder's page is delivered while the next stream's request is in flight (the overlap a
 * single stream gets from reading ahead). A stream never has more than one page written and not yet
 * committed, so a crash re-delivers at most one page per stream.
 */
import { type Fill, fill, type PageClaim, pickNext, sameShares } from './fair-share.js';
import type { LeaseSet } from './lease-keeper.js';
import type { RunContext, StopReason } from './run-context.js';
import type { StreamSummary } from './run-types.js';
import type { StreamSession } from './stream-session.js';

/** How one stream did under the scheduler. */
export interface ScheduledResult {
  readonly session: StreamSession;
  readonly summary: StreamSummary;
  /** Its share of the post budget when the run ended (what it took, when it needed less). */
  readonly share: number;
  /** Pages (turns) it was given. */
  readonly pages: number;
}

/**
 * new: not started · running: holds the turn · released: delivering its page, turn given back ·
 * waiting: asks for the next turn · done: ended.
 */
type EntryState = 'new' | 'running' | 'released' | 'waiting' | 'done';

interface Entry {
  readonly session: StreamSession;
  readonly weight: number;
  pages: number;
  share: number;
  state: EntryState;
  /** Once set, every turn the stream asks for ends with it. */
  finalStop: StopReason | null;
  waiter: ((stop: StopReason | null) => void) | undefined;
  summary: StreamSummary | undefined;
}

/** Scheduler steps in one run (each grants a turn or waits for a stream to move): bounds the loop. */
const MAX_STEPS = 100_000_000;

/** Shares the post, request and time budgets of one run between its open streams. */
export class FairScheduler {
  readonly #run: RunContext;
  readonly #leases: LeaseSet;
  #entries: Entry[] = [];
  #wake: (() => void) | undefined;
  #changed = false;
  /** The last waterFill: its inputs, level and shares. */
  #lastFill: Fill | undefined;

  constructor(run: RunContext, leases: LeaseSet) {
    this.#run = run;
    this.#leases = leases;
  }

  /**
   * The posts this run may deliver, all streams together: the single place a second budget (money
   * turned into posts) can join as min(post budget, other budgets).
   */
  postBudget(): number {
    // Money turned into posts: what was handed over plus what the spend budgets still let the run read.
    const spendable = this.#run.counters.handedOver + this.#run.spend.room();
    return Math.min(this.#run.options.maxTweets, spendable);
  }

  /**
   * Runs every session's `body` (which asks for a turn before each page and releases it once the page
   * is fetched) to its end, interleaving them page by page; resolves with their results in priority
   * order.
   */
  async run(
    sessions: readonly StreamSession[],
    weightOf: (session: StreamSession) => number,
    body: (session: StreamSession) => Promise<StreamSummary>,
  ): Promise<ScheduledResult[]> {
    // The stream owed most from earlier runs goes first; the sort is stable, so then config order.
    const ordered = [...sessions].sort((a, b) => b.lag - a.lag);
    this.#entries = ordered.map((session) => ({
      session,
      weight: weightOf(session),
      pages: 0,
      share: 0,
      state: 'new',
      finalStop: null,
      waiter: undefined,
      summary: undefined,
    }));
    this.#recomputeShares();
    for (const entry of this.#entries) {
      entry.session.attach({
        next: () => this.#next(entry),
        release: () => this.#release(entry),
        remaining: () => Math.max(0, entry.share - entry.session.handedOver),
        nextIsMine: () => this.#nextIsMine(entry),
      });
    }
    const slots = this.#run.concurrency;
    for (let step = 0; step < MAX_STEPS; step++) {
      if (this.#entries.every((e) => e.state === 'done')) break;
      const holders = this.#entries.filter((e) => e.state === 'running').length;
      if (holders >= slots) {
        await this.#change();
        continue;
      }
      // Each stream starts in turn and runs to its first request for a page (or its end).
      const fresh = this.#entries.find((e) => e.state === 'new');
      if (fresh !== undefined) {
        this.#start(fresh, body);
        continue;
      }
      await this.#leases.ensureAll();
      const stop = this.#run.stopReason();
      if (stop === null) this.#recomputeShares();
      const candidates = this.#entries.filter((e) => e.state === 'waiting' || e.state === 'released');
      const eligible = stop === null ? candidates.filter((e) => e.share > e.session.handedOver) : [];
      const pick = eligible[pickNext(eligible)];
      // A stream delivering its page, or holding a turn (with more than one slot), may still give
      // posts back or ask again.
      const busy = holders > 0 || this.#entries.some((e) => e.state === 'released');
      if (pick?.state === 'released' || (pick === undefined && busy)) {
        // The next turn is a stream's still delivering its page, or a stream finishing may give posts
        // back: wait for it.
        await this.#change();
        continue;
      }
      if (pick !== undefined) {
        pick.pages++;
        this.#grant(pick, null);
        continue;
      }
      // No one may go on: each waiting stream ends with the reason, one at a time.
      const last = this.#entries.find((e) => e.state === 'waiting');
      if (last === undefined) {
        await this.#change();
        continue;
      }
      last.finalStop = stop ?? 'budget_exhausted';
      this.#grant(last, last.finalStop);
    }
    return this.#entries.map((e) => ({
      session: e.session,
      summary: e.summary ?? e.session.summary(e.finalStop ?? 'deadline'),
      share: e.share,
      pages: e.pages,
    }));
  }

  /** Max-min fair shares of the post budget; a finished stream keeps exactly what it took. */
  #recomputeShares(): void {
    const budget = this.postBudget();
    const claims = this.#entries.map((e) => ({
      weight: e.weight,
      // A page in delivery keeps what it took: a share recomputed meanwhile must not go below it.
      floor: e.session.claimed,
      cap: e.state === 'done' || e.finalStop !== null ? e.session.handedOver : Number.POSITIVE_INFINITY,
    }));
    // The same inputs give the same shares: most turns change no claim, and with a hundred streams
    // waterFill is the scheduler's main CPU cost.
    if (this.#lastFill !== undefined && sameShares(this.#lastFill, budget, claims)) return;
    this.#lastFill = fill(budget, claims);
    const shares = this.#lastFill.shares;
    this.#entries.forEach((e, i) => {
      e.share = shares[i] as number;
    });
  }

  /** Would `entry` get the very next turn (so reading its next page ahead is worth it)? */
  #nextIsMine(entry: Entry): boolean {
    const candidates = this.#entries.filter(
      (e) =>
        e === entry || ((e.state === 'waiting' || e.state === 'released') && e.share > e.session.handedOver),
    );
    const claims: PageClaim[] = candidates.map((e) => ({ pages: e.pages, weight: e.weight }));
    return candidates[pickNext(claims)] === entry;
  }

  #start(entry: Entry, body: (session: StreamSession) => Promise<StreamSummary>): void {
    entry.state = 'running';
    void body(entry.session).then(
      (summary) => this.#finish(entry, summary),
      (err: unknown) => this.#finish(entry, entry.session.failed(err)),
    );
  }

  #next(entry: Entry): Promise<StopReason | null> {
    if (entry.finalStop !== null) return Promise.resolve(entry.finalStop);
    return new Promise((resolve) => {
      entry.waiter = resolve;
      entry.state = 'waiting';
      this.#signal();
    });
  }

  #release(entry: Entry): void {
    if (entry.state !== 'running') return;
    entry.state = 'released';
    this.#signal();
  }

  #finish(entry: Entry, summary: StreamSummary): void {
    entry.summary = summary;
    entry.state = 'done';
    this.#signal();
  }

  /** Hands the turn to `entry` (or its stop reason). */
  #grant(entry: Entry, stop: StopReason | null): void {
    const waiter = entry.waiter;
    entry.waiter = undefined;
    entry.state = 'running';
    waiter?.(stop);
  }

  /** Resolves at the next change of any stream's state (at once if one happened since the last wait). */
  #change(): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake === undefined) this.#changed = true;
    else wake();
  }
}
