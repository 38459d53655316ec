/** Turns an execution's RunSummary into the record the run history keeps. Pure. */
import type { RunRecord, StreamRunRecord } from './ports/run-history.js';
import type { RunSummary, StreamSummary } from './run-types.js';
import { type SpendOptions, spendUsd } from './spend.js';

/** A stream's billed posts and spend (src/core/spend-account.ts): keyed by stream name. */
export interface StreamSpend {
  readonly posts_billed: number;
  readonly spend_usd: number;
}

/** Extra facts a run record may carry that the summary does not. */
export interface RunRecordExtras {
  /** Billed posts and spend per stream. @default none recorded */
  readonly spendOf?: (stream: string) => StreamSpend | undefined;
  /** The daily spend budget in force. @default none */
  readonly maxSpendUsdPerDay?: number;
}

function streamRecord(s: StreamSummary, spend: StreamSpend | undefined): StreamRunRecord {
  return {
    stream: s.stream,
    outcome: s.outcome,
    posts: s.tweets_delivered,
    requests: s.api_requests ?? 0,
    rate_limited: s.rate_limited ?? 0,
    waits: s.rate_limit_waits ?? 0,
    gaps: s.gaps ?? 0,
    gap_seconds: s.gap_seconds ?? 0,
    freshness_lag_seconds: s.freshness_lag_seconds ?? null,
    owed_age_seconds: s.owed_age_seconds ?? null,
    ...(spend === undefined ? {} : { posts_billed: spend.posts_billed, spend_usd: spend.spend_usd }),
    duration_ms: s.duration_ms ?? 0,
    ...(s.error === undefined ? {} : { error: s.error }),
  };
}

/**
 * The history record of a run. `endedAtMs` is used when the summary has no `started_at`
 * (the start is then its end minus its duration).
 */
export function toRunRecord(summary: RunSummary, endedAtMs: number, extras: RunRecordExtras = {}): RunRecord {
  const started = summary.started_at ?? new Date(endedAtMs - summary.duration_ms).toISOString();
  return {
    correlation_id: summary.correlation_id,
    started_at: started,
    duration_ms: summary.duration_ms,
    caught_up: summary.caught_up,
    ...(extras.maxSpendUsdPerDay === undefined ? {} : { max_spend_usd_per_day: extras.maxSpendUsdPerDay }),
    streams: summary.streams.map((s) => streamRecord(s, extras.spendOf?.(s.stream))),
  };
}

/**
 * The spend fields of a run record, from the summary's own figures (`posts_billed` per stream,
 * src/core/spend-account.ts) at `spend`'s price, with the daily budget in force.
 */
export function spendExtras(summary: RunSummary, options: SpendOptions): RunRecordExtras {
  const billed = new Map(summary.streams.map((s) => [s.stream, s.posts_billed]));
  return {
    spendOf: (stream) => {
      const posts = billed.get(stream);
      return posts === undefined
        ? undefined
        : { posts_billed: posts, spend_usd: spendUsd(posts, options.pricePerPostUsd) };
    },
    ...(options.maxSpendUsdPerDay === undefined ? {} : { maxSpendUsdPerDay: options.maxSpendUsdPerDay }),
  };
}
