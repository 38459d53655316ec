/**
 * Typed events of a run, for whoever shows its progress as it happens (the CLI's progress line and
 * its human lines). The JSON log lines say the same things for machines; an observer never has to
 * read them back. The outcome itself is the RunSummary that `runExecution` resolves with.
 *
 * camelCase here: this is a port, not a wire format.
 */

/** One request to the API answered or failed (every attempt, retries included). */
export interface RequestEvent {
  readonly type: 'request';
  readonly endpoint: string;
  /** HTTP status; absent for a network error or a timeout. */
  readonly status?: number;
  /** `x-rate-limit-remaining` / `x-rate-limit-limit` of the answer, when it had them. */
  readonly rateLimit?: { readonly remaining: number; readonly limit: number };
}

/** The run waits for the rate limit (pacing, a spent window, a 429); the minimum interval is not one. */
export interface RateLimitWaitEvent {
  readonly type: 'rate_limit_wait';
  readonly endpoint: string;
  readonly waitMs: number;
}

/** A failed API request or sink call is tried again after `delayMs`. */
export interface RetryEvent {
  readonly type: 'retry';
  /** What failed: an API error code (e.g. `server_error`) or `sink`. */
  readonly code: string;
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * Posts became delivered: written to the sink, flushed and checkpointed (one group commit). The run's
 * `tweets_delivered`, TweetsProcessed and the progress line move by exactly these.
 */
export interface CommittedEvent {
  readonly type: 'committed';
  readonly stream: string;
  readonly posts: number;
  readonly batches: number;
}

/** A stream was left alone: another execution holds its lease. */
export interface StreamSkippedEvent {
  readonly type: 'stream_skipped';
  readonly stream: string;
  readonly reason: 'locked';
}

/** A stream ended on an error: `failed`, or `usage_capped` (the monthly cap stops every stream). */
export interface StreamErrorEvent {
  readonly type: 'stream_error';
  readonly stream: string;
  readonly outcome: 'failed' | 'usage_capped';
  /** The error's code, e.g. `authentication`, `sink`, `corrupt_checkpoint`. */
  readonly code: string;
  /** What went wrong, without the bearer token. */
  readonly reason: string;
}

/** The first 402 CreditsDepleted of the run (or the flag another process set): every stream stops. */
export interface CreditsDepletedEvent {
  readonly type: 'credits_depleted';
}

/** Everything a run reports while it runs. */
export type RunEvent =
  | RequestEvent
  | RateLimitWaitEvent
  | RetryEvent
  | CommittedEvent
  | StreamSkippedEvent
  | StreamErrorEvent
  | CreditsDepletedEvent;

/** Receives a run's events in the order they happen. Must not throw; it is called on the run's path. */
export interface RunObserver {
  onEvent(event: RunEvent): void;
}
