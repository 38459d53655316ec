/**
 * The scheduler: one run's budgets shared between its streams (docs/architecture.md, "Many streams").
 *
 *   open sessions ──▶ priority order (largest carried lag first, then config order)
 *        │
 *        ▼            ┌──────────────────────── one turn = one page ─────────────────────────┐
 *   every stream runs │ the stream asks for a turn ──▶ shares = waterFill(post budget)       │
 *   as a coroutine;   │ eligible = waiting and below its share ──▶ pickNext (weighted RR)    │
 *   only the holder   │ the holder fetches, delivers, starts its commit, asks again          │
 *   of the turn works └──────── until no one is eligible, or the deadline / usage cap ──────┘
 *        │
 *        ▼
 *   the others get their stop reason; the summaries, each stream's share, the lags for next run
 *
 * Only the holder of the turn makes requests or writes batches, so one stream at a time uses the
 * rate limiter and the sink, as before; a stream's commit may still run while the next one fetches.
 */
import { type PageClaim, pickNext, waterFill } from './fair-share.js';
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

interface Entry {
  readonly session: StreamSession;
  readonly weight: number;
  pages: number;
  share: number;
  state: 'running' | 'waiting' | 'done';
  /** Once set, every turn the stream asks for ends with it. */
  finalStop: StopReason | null;
  waiter: ((stop: StopReason | null) => void) | undefined;
  summary: StreamSummary | undefined;
}

/** Turns one run can hand out: bounds the loop (a turn is a page or a stream's end). */
const MAX_TURNS = 10_000_000;

/** Shares the post, request and time budgets of one run between its open streams. */
export class FairScheduler {
  readonly #run: RunContext;
  readonly #leases: LeaseSet;
  #entries: Entry[] = [];
  #yielded: (() => void) | undefined;

  constructor(run: RunContext, leases: LeaseSet) {
    this.#run = run;
    this.#leases = leases;
  }

  /**
   * The posts this run may deliver, all streams together: the single place a second budget (money
   * turned into posts) can join as min(post budget, other budgets).
   */
  postBudget(): number {
    return this.#run.options.maxTweets;
  }

  /**
   * Runs every session's `body` (which asks for a turn before each page) to its end, interleaving
   * them page by page, and resolves with their results in priority order.
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
      state: 'running',
      finalStop: null,
      waiter: undefined,
      summary: undefined,
    }));
    this.#recomputeShares();
    for (const entry of this.#entries) {
      entry.session.attach({
        next: () => this.#next(entry),
        remaining: () => Math.max(0, entry.share - entry.session.delivered),
        nextIsMine: () => this.#nextIsMine(entry),
      });
    }
    // Each stream starts in turn and runs to its first request for a page (or its end).
    for (const entry of this.#entries) {
      const yielded = this.#awaitYield();
      void body(entry.session).then(
        (summary) => this.#finish(entry, summary),
        (err: unknown) => this.#finish(entry, entry.session.failed(err)),
      );
      await yielded;
    }
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const waiting = this.#entries.filter((e) => e.state === 'waiting');
      if (waiting.length === 0) break;
      await this.#leases.ensureAll();
      const stop = this.#run.stopReason();
      if (stop === null) this.#recomputeShares();
      const eligible = stop === null ? waiting.filter((e) => e.share > e.session.delivered) : [];
      const pick = eligible[pickNext(eligible)];
      if (pick === undefined) {
        // No one may go on: each waiting stream ends with the reason, one at a time.
        for (const entry of waiting) {
          entry.finalStop = stop ?? 'budget_exhausted';
          await this.#grant(entry, entry.finalStop);
        }
        continue;
      }
      pick.pages++;
      await this.#grant(pick, null);
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
    const shares = waterFill(
      this.postBudget(),
      this.#entries.map((e) => ({
        weight: e.weight,
        floor: e.session.delivered,
        cap: e.state === 'done' || e.finalStop !== null ? e.session.delivered : Number.POSITIVE_INFINITY,
      })),
    );
    this.#entries.forEach((e, i) => {
      e.share = shares[i] as number;
    });
  }

  /** Would `entry` get the very next turn (so reading its next page ahead is worth it)? */
  #nextIsMine(entry: Entry): boolean {
    const candidates = this.#entries.filter(
      (e) => e === entry || (e.state === 'waiting' && e.share > e.session.delivered),
    );
    const claims: PageClaim[] = candidates.map((e) => ({ pages: e.pages, weight: e.weight }));
    return candidates[pickNext(claims)] === entry;
  }

  #next(entry: Entry): Promise<StopReason | null> {
    if (entry.finalStop !== null) return Promise.resolve(entry.finalStop);
    return new Promise((resolve) => {
      entry.waiter = resolve;
      entry.state = 'waiting';
      this.#signal();
    });
  }

  #finish(entry: Entry, summary: StreamSummary): void {
    entry.summary = summary;
    entry.state = 'done';
    this.#signal();
  }

  /** Hands the turn to `entry` (or its stop reason) and waits until it asks again or ends. */
  async #grant(entry: Entry, stop: StopReason | null): Promise<void> {
    const waiter = entry.waiter;
    if (waiter === undefined) return;
    const yielded = this.#awaitYield();
    entry.waiter = undefined;
    entry.state = 'running';
    waiter(stop);
    await yielded;
  }

  #awaitYield(): Promise<void> {
    return new Promise((resolve) => {
      this.#yielded = resolve;
    });
  }

  #signal(): void {
    const yielded = this.#yielded;
    this.#yielded = undefined;
    yielded?.();
  }
}
