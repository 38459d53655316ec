/**
 * One execution's spend: posts billed per stream and per run, the budgets' room, and the
 * "credits depleted" flag with its single probe. The loop asks it three things: how many posts it
 * may still read (`room`), whether a request may go out (`beforeRequest`), and it reports every page
 * read (`record`) and every 402 (`creditsDepleted`).
 *
 *   flag in store at start ──▶ this run's first request is the probe
 *     probe answered ───────▶ flag cleared, the run goes on
 *     probe got 402 ────────▶ flag renewed, every stream stops (credits_depleted)
 *   flag set during the run (another process saw a 402) ──▶ stop before the next request
 */
import { CreditsDepletedError } from './errors.js';
import type { Clock } from './ports/clock.js';
import { LogEvent, type Logger, MetricName, type Metrics } from './ports/observability.js';
import type { RunObserver } from './ports/run-events.js';
import type { SpendLedger } from './ports/spend-ledger.js';
import { billPage, postsAllowed, type SpendOptions, spendUsd, utcDay } from './spend.js';

/** Ports of a {@link SpendAccount}. */
export interface SpendAccountPorts {
  /** Where totals and the flag are shared. @default none: counted in this execution only */
  readonly ledger?: SpendLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Told once when the credits are found depleted. @default none */
  readonly observer?: RunObserver;
}

/** The spend state of one execution. */
export class SpendAccount {
  /** Posts billed by this execution. */
  runBilled = 0;
  /** True once this execution met a 402 or the flag: every stream stops. */
  depleted = false;
  readonly #billed = new Map<string, number>();
  /** Reads per stream of the current day, when no ledger keeps them. */
  readonly #localReads = new Map<string, { day: string; ids: string[] }>();
  #totals = { day: 0, month: 0 };
  /** Posts read whose record is still to come (holdRoom). */
  #unrecorded = 0;
  /** The most the requests in flight may bill (reserve / release). */
  #reserved = 0;
  /** The flag seen at the start: this run may spend one probe request on it. */
  #probeFlag: string | null = null;
  /** Settles when the probe in flight is answered or fails; other requests wait for it. */
  #probe: { readonly done: Promise<void>; readonly end: () => void } | undefined;
  #reported = false;

  constructor(
    readonly options: SpendOptions,
    private readonly ports: SpendAccountPorts,
  ) {}

  /** Builds an account and loads the shared totals and flag. */
  static async open(options: SpendOptions, ports: SpendAccountPorts): Promise<SpendAccount> {
    const account = new SpendAccount(options, ports);
    const { ledger, clock } = ports;
    if (ledger !== undefined) {
      const totals = await ledger.totals(utcDay(clock.now()));
      account.#totals = { day: totals.dayPosts, month: totals.monthPosts };
      account.#probeFlag = await ledger.creditsDepletedAt();
    }
    return account;
  }

  /** Posts the spend budgets still allow (Infinity without budgets), less the pages read and not yet recorded. */
  room(): number {
    return Math.max(0, postsAllowed(this.options, this.#totals) - this.#unrecorded);
  }

  /**
   * What a new request may still ask for: `room` less what the requests in flight may bill. With
   * several streams' requests in flight at once (`--concurrency`), each is sized against what the
   * others have not reserved, so together they never ask for more than the budgets allow.
   */
  requestRoom(): number {
    return Math.max(0, this.room() - this.#reserved);
  }

  /** A request for up to `posts` posts goes out: {@link requestRoom} counts them until `release`. */
  reserve(posts: number): void {
    this.#reserved += posts;
  }

  /** The request of a `reserve` was answered or failed (its page, if any, is held with holdRoom). */
  release(posts: number): void {
    this.#reserved = Math.max(0, this.#reserved - posts);
  }

  /**
   * A page of `count` posts was read and will be `record`ed: `room` counts it from now, so a request
   * made before the record (the next page, another stream's) never asks for more than the budgets allow.
   */
  holdRoom(count: number): void {
    this.#unrecorded += count;
  }

  /** Posts billed to `stream` in this execution. */
  billedBy(stream: string): number {
    return this.#billed.get(stream) ?? 0;
  }

  /** USD of `posts` at the configured price. */
  usd(posts: number): number {
    return spendUsd(posts, this.options.pricePerPostUsd);
  }

  /** Records a page `stream` read; returns the posts billed for it (re-reads of the same UTC day are free). */
  async record(stream: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    try {
      return await this.#record(stream, ids);
    } finally {
      this.#unrecorded = Math.max(0, this.#unrecorded - ids.length);
    }
  }

  async #record(stream: string, ids: readonly string[]): Promise<number> {
    const day = utcDay(this.ports.clock.now());
    let billed: number;
    const ledger = this.ports.ledger;
    if (ledger !== undefined) {
      const result = await ledger.recordRead(stream, ids, day);
      billed = result.billed;
      this.#totals = { day: result.dayPosts, month: result.monthPosts };
    } else {
      const reads = this.#localReads.get(stream);
      const bill = billPage(reads?.day === day ? reads.ids : [], ids);
      this.#localReads.set(stream, { day, ids: bill.remembered });
      billed = bill.billed;
      this.#totals = { day: this.#totals.day + billed, month: this.#totals.month + billed };
    }
    this.runBilled += billed;
    this.#billed.set(stream, this.billedBy(stream) + billed);
    return billed;
  }

  /**
   * Called before every request. Throws CreditsDepletedError (with `fromFlag`) when the run must not
   * make it: a 402 was already met, or another process set the flag. While the flag of the last run
   * is set, the first request is the probe and any other waits for its outcome.
   */
  async beforeRequest(): Promise<void> {
    // Bounded: a waiter re-checks once the probe settled (it may become the next probe).
    for (let attempt = 0; attempt < 4; attempt++) {
      if (this.depleted) throw this.#flagError('an earlier request of this run');
      if (this.#probe !== undefined) {
        await this.#probe.done;
        continue;
      }
      const ledger = this.ports.ledger;
      if (ledger === undefined) return;
      const flag = await ledger.creditsDepletedAt();
      // Another request (a stream polled at once) became the probe or met a 402 while this one read
      // the flag: wait for it like the others, or stop.
      if (this.#probe !== undefined || this.depleted) continue;
      if (flag === null) {
        this.#probeFlag = null;
        return;
      }
      if (flag === this.#probeFlag) {
        let end: () => void = () => undefined;
        const done = new Promise<void>((resolve) => {
          end = resolve;
        });
        this.#probe = { done, end };
        this.ports.logger.log('warn', LogEvent.creditsProbe, {
          credits_depleted_at: flag,
          message:
            'the credits were depleted at the last run; this request checks whether they were topped up',
        });
        return;
      }
      this.depleted = true;
      if (!this.#reported) {
        this.#reported = true;
        this.#log({ source: 'flag', credits_depleted_at: flag });
      }
      throw this.#flagError(`the flag set at ${flag}`);
    }
    throw this.#flagError('the probe of this run did not settle it');
  }

  /** Called after a request was answered (not with a 402): a successful probe clears the flag. */
  async afterAnswer(): Promise<void> {
    if (this.#probe === undefined) return;
    this.#probeFlag = null;
    try {
      await this.ports.ledger?.setCreditsDepleted(null);
      this.ports.logger.log('info', LogEvent.creditsRestored, { message: 'the probe request succeeded' });
    } finally {
      this.#endProbe();
    }
  }

  /** Called when a request failed otherwise (network, 5xx, 4xx) or was never sent: the probe may be made again. */
  requestFailed(): void {
    this.#endProbe();
  }

  #endProbe(): void {
    const probe = this.#probe;
    this.#probe = undefined;
    probe?.end();
  }

  /**
   * A 402 CreditsDepleted: records the flag in the store (so every process stops), logs
   * `credits_depleted` and counts the CreditsDepleted metric, once per execution.
   */
  async creditsDepleted(
    error: CreditsDepletedError,
    logger: Logger,
    fields: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    this.depleted = true;
    this.#endProbe();
    if (this.#reported) return;
    this.#reported = true;
    const at = new Date(this.ports.clock.now()).toISOString();
    this.ports.metrics.add(MetricName.creditsDepleted, 1, 'Count');
    this.#log({ ...fields, status: error.status, source: 'api', credits_depleted_at: at }, logger);
    await this.ports.ledger?.setCreditsDepleted(at);
  }

  #log(fields: Readonly<Record<string, unknown>>, logger: Logger = this.ports.logger): void {
    logger.log('error', LogEvent.creditsDepleted, {
      ...fields,
      message:
        'the X API credits are depleted (HTTP 402): every stream stops with its state saved; top up the credits',
    });
    this.ports.observer?.onEvent({ type: 'credits_depleted' });
  }

  #flagError(why: string): CreditsDepletedError {
    const error = new CreditsDepletedError(
      `credits depleted (${why}): no request made; top up the credits`,
      402,
      'none',
      undefined,
    );
    error.fromFlag = true;
    return error;
  }
}
