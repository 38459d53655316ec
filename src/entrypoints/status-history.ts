/** What `status` shows from the run history beside each checkpoint: the stream's last run and today's spend. */
import type { StoreLocation } from '../config/types.js';
import type { RunHistoryStore, RunRecord } from '../core/ports/run-history.js';
import type { StreamOutcome } from '../core/run-types.js';
import { openRunHistory } from './run-history.js';

/** Runs read back for `status`: enough to find every stream's last run in all but huge fleets. */
const STATUS_RUNS = 1_000;

/** A stream's last run, as `status --json` prints it. */
export interface LastRun {
  /** ISO-8601 start of the run. */
  readonly at: string;
  readonly outcome: StreamOutcome;
  readonly posts: number;
  /** Seconds between the newest delivered post's created_at and its delivery (null: none delivered). */
  readonly freshness_lag_seconds: number | null;
  /** Age in seconds of the oldest post still owed (null: nothing owed). */
  readonly owed_age_seconds: number | null;
  /** The stream's spend over today's runs (UTC), null when no run recorded spend. */
  readonly spend_today_usd: number | null;
  readonly error?: string;
}

/** Each stream's last run among the newest runs of `runs` (oldest first); `nowMs` says which day is today. */
export function lastRuns(runs: readonly RunRecord[], nowMs: number): Map<string, LastRun> {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const spend = new Map<string, number>();
  const last = new Map<string, LastRun>();
  for (const run of runs) {
    for (const s of run.streams) {
      if (s.spend_usd !== undefined && run.started_at.slice(0, 10) === today)
        spend.set(s.stream, (spend.get(s.stream) ?? 0) + s.spend_usd);
      last.set(s.stream, {
        at: run.started_at,
        outcome: s.outcome,
        posts: s.posts,
        freshness_lag_seconds: s.freshness_lag_seconds,
        owed_age_seconds: s.owed_age_seconds,
        spend_today_usd: null,
        ...(s.error === undefined ? {} : { error: s.error }),
      });
    }
  }
  for (const [stream, run] of last) last.set(stream, { ...run, spend_today_usd: spend.get(stream) ?? null });
  return last;
}

/**
 * The last run of every stream in the store's history; empty when the store keeps none (memory, a file
 * from before the history) or cannot be read for it: `status` still shows the checkpoints.
 * `keyAttribute` is the DynamoDB table's configured partition key (`--dynamodb-key`, an adopted table's).
 */
export async function readLastRuns(
  location: StoreLocation,
  nowMs: number,
  keyAttribute?: string,
): Promise<Map<string, LastRun>> {
  let history: RunHistoryStore | undefined;
  try {
    history = await openRunHistory(location, {
      readonly: true,
      ...(keyAttribute === undefined ? {} : { keyAttribute }),
    });
    return lastRuns(await history.list({ limit: STATUS_RUNS }), nowMs);
  } catch {
    return new Map();
  } finally {
    await history?.close().catch(() => undefined);
  }
}
