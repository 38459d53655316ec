import { describe, expect, it } from 'vitest';
import type { RunRecord, StreamRunRecord } from '../../src/core/ports/run-history.js';
import { reportHtml } from '../../src/entrypoints/report-command.js';
import { lastRuns } from '../../src/entrypoints/status-history.js';
import { durationTicks, timeTicks, valueTicks } from '../../src/report/format.js';
import { buildReportModel, MAX_SERIES } from '../../src/report/model.js';

const T0 = Date.UTC(2027, 0, 15, 6, 0, 0);
const HOUR = 3_600_000;

function s(stream: string, extra: Partial<StreamRunRecord> = {}): StreamRunRecord {
  return {
    stream,
    outcome: 'caught_up',
    posts: 10,
    requests: 2,
    rate_limited: 0,
    waits: 0,
    gaps: 0,
    gap_seconds: 0,
    freshness_lag_seconds: 30,
    owed_age_seconds: null,
    duration_ms: 500,
    ...extra,
  };
}

function r(hours: number, streams: StreamRunRecord[], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    correlation_id: `exec-${hours}`,
    started_at: new Date(T0 + hours * HOUR).toISOString(),
    duration_ms: 1000,
    caught_up: streams.every((x) => x.outcome === 'caught_up'),
    streams,
    ...extra,
  };
}

describe('the report model', () => {
  const runs = [
    r(0, [
      s('a', { posts: 5, requests: 3, rate_limited: 1, waits: 2 }),
      s('b', { posts: 7, spend_usd: 0.25 }),
    ]),
    r(12, [s('a', { posts: 4, freshness_lag_seconds: 90 }), s('b', { posts: 1, spend_usd: 0.5 })]),
    r(
      30,
      [
        s('a', { posts: 0, freshness_lag_seconds: null, gaps: 1, gap_seconds: 7200 }),
        s('b', { outcome: 'deadline', owed_age_seconds: 5400, spend_usd: 1 }),
      ],
      { max_spend_usd_per_day: 0.6 },
    ),
  ];
  const model = buildReportModel(runs, T0, T0 + 30 * HOUR + 1000);

  it('sums each stream over the period and keeps its last state', () => {
    const [a, b] = model.streams;
    expect(a).toMatchObject({
      stream: 'a',
      runs: 3,
      posts: 9,
      requests: 7,
      rateLimited: 1,
      waits: 2,
      gaps: 1,
    });
    expect(a?.lastLagSeconds).toBe(90); // the last run measured none: the previous measurement stands
    expect(a?.maxLagSeconds).toBe(90);
    expect(b).toMatchObject({ posts: 18, spendUsd: 1.75 });
    expect(b?.last.outcome).toBe('deadline');
  });

  it('draws one posts series per stream whose total is the sum of its runs', () => {
    expect(model.posts.map((x) => [x.name, x.total, x.points.length])).toEqual([
      ['a', 9, 3],
      ['b', 18, 3],
    ]);
    expect(model.activity.map((x) => [x.name, x.total])).toEqual([
      ['requests', 13],
      ['429s', 1],
      ['waits', 2],
    ]);
    // Lag: a run that delivered nothing has no point; the legend shows the largest.
    expect(model.lag.map((x) => [x.name, x.points.length, x.total])).toEqual([
      ['a', 2, 90],
      ['b', 3, 30],
    ]);
  });

  it('sums spend per UTC day, every day of the period, with the last budget in force', () => {
    expect(model.spendPerDay).toEqual([
      { day: '2027-01-15', usd: 0.75 },
      { day: '2027-01-16', usd: 1 },
    ]);
    expect(model.budgetUsdPerDay).toBe(0.6);
    expect(model.spendRecorded).toBe(true);
  });

  it('lists the streams that are behind, and the gaps as marks', () => {
    expect(model.behind).toEqual([
      expect.objectContaining({ stream: 'b', outcome: 'deadline', owedAgeSeconds: 5400 }),
    ]);
    expect(model.gaps).toEqual([
      { timeMs: T0 + 30 * HOUR, row: 'a', stream: 'a', gaps: 1, gapSeconds: 7200 },
    ]);
  });

  it(`folds streams past the ${MAX_SERIES - 1} largest into one "other streams" series, totals kept`, () => {
    const many = Array.from({ length: 20 }, (_, i) => s(`s${String(i).padStart(2, '0')}`, { posts: i + 1 }));
    const m = buildReportModel([r(0, many), r(1, many)], T0, T0 + 2 * HOUR);
    expect(m.posts).toHaveLength(MAX_SERIES);
    expect(m.posts.at(-1)).toMatchObject({
      name: 'other streams (9)',
      streams: 9,
      total: 2 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9),
    });
    expect(m.posts.reduce((a, x) => a + x.total, 0)).toBe(2 * ((20 * 21) / 2));
    expect(m.posts.slice(0, -1).map((x) => x.name)).not.toContain('s00');
  });
});

describe('the report page', () => {
  it('is one self-contained file: no script, no external resource, names escaped', () => {
    const hostile = '<img src=x onerror=alert(1)> & "q"';
    const html = reportHtml(
      [r(0, [s(hostile, { error: '<b>boom</b>', outcome: 'failed' })])],
      'sqlite:x.db',
      T0,
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    expect(html).toContain('&lt;b&gt;boom&lt;/b&gt;');
    for (const chart of ['posts', 'activity', 'lag', 'gaps', 'spend'])
      expect(html).toContain(`data-chart="${chart}"`);
  });
});

describe('axis ticks', () => {
  it.each([
    [0, [0, 1]],
    [7, [0, 2, 4, 6, 8]],
    [100, [0, 20, 40, 60, 80, 100]],
    [0.3, [0, 0.1, 0.2, 0.3]],
  ])('values up to %d tick at %j', (max, expected) => {
    expect(valueTicks(max)).toEqual(expected);
  });

  it.each([
    [45, [0, 10, 20, 30, 40, 50]],
    [4320, [0, 1200, 2400, 3600, 4800]],
    [9000, [0, 1800, 3600, 5400, 7200, 9000]],
  ])('lag up to %d s ticks on round units %j', (max, expected) => {
    expect(durationTicks(max)).toEqual(expected);
  });

  it('times fall on round UTC boundaries, labelled by the span', () => {
    expect(timeTicks(T0, T0 + 6 * HOUR).map((t) => t.label)).toEqual([
      '06:00',
      '07:00',
      '08:00',
      '09:00',
      '10:00',
      '11:00',
      '12:00',
    ]);
    const month = timeTicks(T0, T0 + 30 * 86_400_000);
    expect(month.length).toBeGreaterThanOrEqual(4);
    for (const t of month) expect(t.label).toMatch(/^2027-0[12]-[0-9]{2}$/);
  });
});

describe('status: the last run of each stream', () => {
  it('takes the newest run per stream and sums only today`s spend', () => {
    const runs = [
      r(-24, [s('a', { spend_usd: 9 })]),
      r(0, [s('a', { spend_usd: 1 }), s('b')]),
      r(1, [s('a', { spend_usd: 0.5, outcome: 'deadline', owed_age_seconds: 60 })]),
    ];
    const last = lastRuns(runs, T0 + 2 * HOUR);
    expect(last.get('a')).toMatchObject({ outcome: 'deadline', owed_age_seconds: 60, spend_today_usd: 1.5 });
    expect(last.get('b')).toMatchObject({ outcome: 'caught_up', spend_today_usd: null });
  });
});
