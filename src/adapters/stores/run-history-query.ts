/** What every run-history backend shares: the default bound, ordering and the query filter. */
import type { RunHistoryQuery, RunRecord } from '../../core/ports/run-history.js';

/** Runs a SQLite (or memory) history keeps. @default 10000 */
export const DEFAULT_MAX_RUNS = 10_000;
/** Days a DynamoDB history item lives (its TTL). */
export const HISTORY_TTL_DAYS = 90;

/** Epoch ms of a record's start (NaN-safe: an unreadable start sorts first). */
export function startedMs(run: RunRecord): number {
  const ms = Date.parse(run.started_at);
  return Number.isFinite(ms) ? ms : 0;
}

/** Oldest first, then the query's since and limit (the newest `limit`). */
export function selectRuns(runs: readonly RunRecord[], query: RunHistoryQuery): RunRecord[] {
  const since = query.sinceMs ?? 0;
  const kept = runs.filter((r) => startedMs(r) >= since).sort((a, b) => startedMs(a) - startedMs(b));
  return query.limit === undefined ? kept : kept.slice(Math.max(0, kept.length - query.limit));
}
