/**
 * What the report shows, computed from the run history: per-stream totals and last state, the series
 * of each chart, spend per UTC day and the streams that are behind. Pure: the HTML is drawn from it.
 */
import type { RunRecord, StreamRunRecord } from '../core/ports/run-history.js';
import type { StreamOutcome } from '../core/run-types.js';

/** Series drawn per chart before the rest is folded into one "other streams" series. */
export const MAX_SERIES = 12;

/** One stream over the period. */
export interface StreamTotals {
  readonly stream: string;
  readonly runs: number;
  readonly posts: number;
  readonly requests: number;
  readonly rateLimited: number;
  readonly waits: number;
  readonly gaps: number;
  readonly gapSeconds: number;
  readonly spendUsd: number;
  readonly postsBilled: number;
  /** The newest run of the stream. */
  readonly last: StreamRunRecord;
  readonly lastRunMs: number;
  /** The last freshness lag measured (a run that delivered nothing measures none). */
  readonly lastLagSeconds: number | null;
  readonly maxLagSeconds: number | null;
}

/** A point of a per-run series: the run's start and the value. */
export type Point = readonly [timeMs: number, value: number];

/** A series of a chart. `total` is what the legend and `data-total` show (the sum, or the max for lag). */
export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  readonly total: number;
  /** The streams folded into this series (one, unless it is "other streams"). */
  readonly streams: number;
}

/** A gap mark: when, which stream (row) and how much was skipped. */
export interface GapMark {
  readonly timeMs: number;
  readonly row: string;
  readonly stream: string;
  readonly gaps: number;
  readonly gapSeconds: number;
}

/** A stream that is not keeping up, as the morning table lists it. */
export interface BehindRow {
  readonly stream: string;
  readonly outcome: StreamOutcome;
  readonly owedAgeSeconds: number | null;
  readonly lagSeconds: number | null;
  readonly lastRunMs: number;
  readonly error: string | undefined;
}

export interface ReportModel {
  readonly fromMs: number;
  readonly toMs: number;
  readonly runs: number;
  readonly streams: readonly StreamTotals[];
  readonly posts: readonly Series[];
  readonly activity: readonly Series[];
  readonly lag: readonly Series[];
  readonly gapRows: readonly string[];
  readonly gaps: readonly GapMark[];
  /** Spend per UTC day (`YYYY-MM-DD`), every day of the period, oldest first. */
  readonly spendPerDay: readonly { readonly day: string; readonly usd: number }[];
  readonly budgetUsdPerDay: number | undefined;
  readonly spendRecorded: boolean;
  readonly behind: readonly BehindRow[];
}

function startMs(run: RunRecord): number {
  return Date.parse(run.started_at);
}

type MutableTotals = { -readonly [K in keyof StreamTotals]: StreamTotals[K] };

function totalsOf(runs: readonly RunRecord[]): StreamTotals[] {
  const byStream = new Map<string, MutableTotals>();
  for (const run of runs) {
    const at = startMs(run);
    for (const s of run.streams) {
      let t = byStream.get(s.stream);
      if (t === undefined) {
        t = {
          stream: s.stream,
          runs: 0,
          posts: 0,
          requests: 0,
          rateLimited: 0,
          waits: 0,
          gaps: 0,
          gapSeconds: 0,
          spendUsd: 0,
          postsBilled: 0,
          last: s,
          lastRunMs: at,
          lastLagSeconds: null,
          maxLagSeconds: null,
        };
        byStream.set(s.stream, t);
      }
      t.runs++;
      t.posts += s.posts;
      t.requests += s.requests;
      t.rateLimited += s.rate_limited;
      t.waits += s.waits;
      t.gaps += s.gaps;
      t.gapSeconds += s.gap_seconds;
      t.spendUsd += s.spend_usd ?? 0;
      t.postsBilled += s.posts_billed ?? 0;
      t.last = s;
      t.lastRunMs = at;
      const lag = s.freshness_lag_seconds;
      if (lag !== null) {
        t.lastLagSeconds = lag;
        t.maxLagSeconds = Math.max(lag, t.maxLagSeconds ?? lag);
      }
    }
  }
  return [...byStream.values()].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

/**
 * The streams drawn as their own series: the `MAX_SERIES - 1` ranked highest by `rank` when there are
 * more than MAX_SERIES streams (the rest become "other streams"), else all of them.
 */
function shown(streams: readonly StreamTotals[], rank: (t: StreamTotals) => number): Set<string> {
  if (streams.length <= MAX_SERIES) return new Set(streams.map((s) => s.stream));
  const ranked = [...streams].sort((a, b) => rank(b) - rank(a) || (a.stream < b.stream ? -1 : 1));
  return new Set(ranked.slice(0, MAX_SERIES - 1).map((s) => s.stream));
}

/** Per-stream series of one per-run value; the other streams folded with `fold` (sum or max). */
function perStreamSeries(
  runs: readonly RunRecord[],
  streams: readonly StreamTotals[],
  keep: Set<string>,
  value: (s: StreamRunRecord) => number | null,
  fold: 'sum' | 'max',
): Series[] {
  const points = new Map<string, Point[]>();
  const other: Point[] = [];
  for (const run of runs) {
    const at = startMs(run);
    let folded: number | null = null;
    for (const s of run.streams) {
      const v = value(s);
      if (v === null) continue;
      if (keep.has(s.stream)) {
        const list = points.get(s.stream) ?? [];
        if (list.length === 0) points.set(s.stream, list);
        list.push([at, v]);
      } else {
        folded = folded === null ? v : fold === 'sum' ? folded + v : Math.max(folded, v);
      }
    }
    if (folded !== null) other.push([at, folded]);
  }
  const total = (p: readonly Point[]) =>
    fold === 'sum' ? p.reduce((a, [, v]) => a + v, 0) : p.reduce((a, [, v]) => Math.max(a, v), 0);
  const series: Series[] = streams
    .filter((s) => keep.has(s.stream))
    .map((s) => {
      const p = points.get(s.stream) ?? [];
      return { name: s.stream, points: p, total: total(p), streams: 1 };
    });
  const folded = streams.length - keep.size;
  if (folded > 0)
    series.push({ name: `other streams (${folded})`, points: other, total: total(other), streams: folded });
  return series;
}

function activitySeries(runs: readonly RunRecord[]): Series[] {
  const of = (name: string, pick: (s: StreamRunRecord) => number): Series => {
    const points: Point[] = runs.map((r) => [startMs(r), r.streams.reduce((a, s) => a + pick(s), 0)]);
    return { name, points, total: points.reduce((a, [, v]) => a + v, 0), streams: 0 };
  };
  return [of('requests', (s) => s.requests), of('429s', (s) => s.rate_limited), of('waits', (s) => s.waits)];
}

const DAY_MS = 86_400_000;

function spendPerDay(runs: readonly RunRecord[], fromMs: number, toMs: number) {
  const byDay = new Map<string, number>();
  for (const run of runs) {
    const day = run.started_at.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + run.streams.reduce((a, s) => a + (s.spend_usd ?? 0), 0));
  }
  const days: { day: string; usd: number }[] = [];
  const last = Math.floor(toMs / DAY_MS);
  for (let d = Math.floor(fromMs / DAY_MS); d <= last && days.length < 400; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    days.push({ day, usd: byDay.get(day) ?? 0 });
  }
  return days;
}

/** A stream is behind when its last run did not catch up, or it still owes posts. Oldest debt first. */
function behindRows(streams: readonly StreamTotals[]): BehindRow[] {
  return streams
    .filter((s) => s.last.outcome !== 'caught_up' || s.last.owed_age_seconds !== null)
    .map((s) => ({
      stream: s.stream,
      outcome: s.last.outcome,
      owedAgeSeconds: s.last.owed_age_seconds,
      lagSeconds: s.lastLagSeconds,
      lastRunMs: s.lastRunMs,
      error: s.last.error,
    }))
    .sort((a, b) => (b.owedAgeSeconds ?? -1) - (a.owedAgeSeconds ?? -1) || (a.stream < b.stream ? -1 : 1));
}

/** Builds the report of `runs` (oldest first) over the period `[fromMs, toMs]`. */
export function buildReportModel(runs: readonly RunRecord[], fromMs: number, toMs: number): ReportModel {
  const streams = totalsOf(runs);
  const gapKeep = shown(
    streams.filter((s) => s.gaps > 0),
    (s) => s.gapSeconds,
  );
  const gapStreams = streams.filter((s) => s.gaps > 0);
  const gapRows = gapStreams.filter((s) => gapKeep.has(s.stream)).map((s) => s.stream);
  const otherGapRow =
    gapStreams.length > gapRows.length ? `other streams (${gapStreams.length - gapRows.length})` : undefined;
  if (otherGapRow !== undefined) gapRows.push(otherGapRow);
  const gaps: GapMark[] = [];
  for (const run of runs) {
    for (const s of run.streams) {
      if (s.gaps <= 0) continue;
      const row = gapKeep.has(s.stream) ? s.stream : (otherGapRow as string);
      gaps.push({ timeMs: startMs(run), row, stream: s.stream, gaps: s.gaps, gapSeconds: s.gap_seconds });
    }
  }
  const budgets = runs.map((r) => r.max_spend_usd_per_day).filter((b): b is number => b !== undefined);
  return {
    fromMs,
    toMs,
    runs: runs.length,
    streams,
    posts: perStreamSeries(
      runs,
      streams,
      shown(streams, (s) => s.posts),
      (s) => s.posts,
      'sum',
    ),
    activity: activitySeries(runs),
    lag: perStreamSeries(
      runs,
      streams,
      shown(streams, (s) => s.maxLagSeconds ?? -1),
      (s) => s.freshness_lag_seconds,
      'max',
    ),
    gapRows,
    gaps,
    spendPerDay: spendPerDay(runs, fromMs, toMs),
    budgetUsdPerDay: budgets.at(-1),
    spendRecorded: runs.some((r) => r.streams.some((s) => s.spend_usd !== undefined)),
    behind: behindRows(streams),
  };
}
