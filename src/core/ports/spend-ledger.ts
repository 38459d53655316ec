/**
 * The spend ledger: what the pay-per-use account has been billed, per UTC day and stream, and the
 * "credits depleted" flag. Kept in the same store as the checkpoints so that every process and
 * Lambda sharing a store shares one budget and learns of a 402 from the others.
 * Adapters: SQLite, DynamoDB, memory (src/adapters/stores/*-spend-ledger.ts); one contract suite.
 */

/** Posts billed, as the store holds them. Days are `YYYY-MM-DD` (UTC), months `YYYY-MM`. */
export interface SpendTotals {
  /** Posts billed on `day`, every stream together. */
  readonly dayPosts: number;
  /** Posts billed in the month of `day`, every stream together. */
  readonly monthPosts: number;
}

/** What recording one page's reads returned. */
export interface RecordedRead extends SpendTotals {
  /** Posts of the page billed now: the ids not already read by this stream on the same UTC day. */
  readonly billed: number;
}

/** One stream's line of a day. */
export interface StreamDaySpend {
  readonly stream: string;
  readonly posts: number;
}

export interface SpendLedger {
  /**
   * Records the posts of one page `stream` read on `day`: the ids the stream already read that day
   * are free (X bills a post once per UTC day), the others are added to the day's and month's totals.
   * Returns the billed count and the totals after the write. Atomic per call.
   */
  recordRead(stream: string, ids: readonly string[], day: string): Promise<RecordedRead>;
  /** The totals of `day` and its month. */
  totals(day: string): Promise<SpendTotals>;
  /** Posts billed per stream on `day` (streams without reads that day are absent). */
  streamsOnDay(day: string): Promise<StreamDaySpend[]>;
  /** ISO time of the first 402 CreditsDepleted not yet cleared by a successful request, or null. */
  creditsDepletedAt(): Promise<string | null>;
  /** Records the flag (`at`, ISO time) or clears it (null). */
  setCreditsDepleted(at: string | null): Promise<void>;
  close(): Promise<void>;
}
