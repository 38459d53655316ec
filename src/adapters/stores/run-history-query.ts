/** What every run-history backend shares: the default bound, ordering and the query filter. */
import type { RunHistoryQuery, RunRecord, StreamRunRecord } from '../../core/ports/run-history.js';

/** Runs a SQLite (or memory) history keeps. @default 10000 */
export const DEFAULT_MAX_RUNS = 10_000;
/** Key prefix of DynamoDB history items in the checkpoint table (no stream name starts with it). */
export const HISTORY_KEY_PREFIX = '#run#';
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

/**
 * The stored form of a record's streams: one array of values per stream under one list of column
 * names, instead of an object per stream. A month of a 100-stream fleet is a third of the JSON to
 * read and parse (bench/report-scale.ts). Optional fields are null in a row and absent once decoded.
 */
const COLUMNS = [
  'stream',
  'outcome',
  'posts',
  'requests',
  'rate_limited',
  'waits',
  'gaps',
  'gap_seconds',
  'freshness_lag_seconds',
  'owed_age_seconds',
  'duration_ms',
  'posts_billed',
  'spend_usd',
  'error',
] as const satisfies readonly (keyof StreamRunRecord)[];
const OPTIONAL = new Set<string>(['posts_billed', 'spend_usd', 'error']);

interface StoredRun extends Omit<RunRecord, 'streams'> {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** A record as the JSON text SQLite and DynamoDB keep. */
export function encodeRun(run: RunRecord): string {
  const { streams, ...rest } = run;
  const stored: StoredRun = {
    ...rest,
    columns: COLUMNS,
    rows: streams.map((s) => COLUMNS.map((c) => s[c] ?? null)),
  };
  return JSON.stringify(stored);
}

/** The record of a stored JSON text (written by {@link encodeRun}). */
export function decodeRun(text: string): RunRecord {
  const { columns, rows, ...rest } = JSON.parse(text) as StoredRun;
  const streams = rows.map((row) => {
    const s: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as string;
      const value = row[i];
      if (value !== null || !OPTIONAL.has(column)) s[column] = value;
    }
    return s as unknown as StreamRunRecord;
  });
  return { ...rest, streams };
}
