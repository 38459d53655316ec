/**
 * The report's charts as inline SVG strings: a time-series line chart, a bar chart of spend per day
 * with its budget line, and a strip of gap marks. No script: the file renders offline in any browser.
 * Every chart carries its content as attributes (`data-chart`, `data-series`, `data-total`,
 * `class="axis-label"`) so tests and scripts can read what is drawn.
 */
import { count, duration, esc, timeTicks, usd, utc, valueTicks } from './format.js';
import type { GapMark, Series } from './model.js';

const W = 960;
const H = 260;
const M = { left: 64, right: 16, top: 14, bottom: 46 } as const;
/** Series with at most this many points also get a dot per point (a single run is then visible). */
const DOTS_UP_TO = 60;

/** Line colours (Okabe-Ito and Tableau, distinguishable side by side); "other streams" is grey. */
export const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#d55e00',
  '#cc79a7',
  '#56b4e9',
  '#8c564b',
  '#f0c419',
  '#17becf',
  '#7f3c8d',
  '#2ca02c',
  '#bcbd22',
] as const;
const OTHER = '#8a8a8a';

function colour(series: Series, index: number): string {
  return series.name.startsWith('other streams') ? OTHER : (PALETTE[index % PALETTE.length] as string);
}

/** One decimal place is plenty at this size, and keeps a 1,000-run chart small. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function frame(title: string, xLabel: string, yLabel: string): string {
  const x = (M.left + W - M.right) / 2;
  const y = (M.top + H - M.bottom) / 2;
  return (
    `<text class="axis-label" data-axis="x" x="${x}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text class="axis-label" data-axis="y" x="14" y="${y}" text-anchor="middle" transform="rotate(-90 14 ${y})">${esc(yLabel)}</text>` +
    `<title>${esc(title)}</title>`
  );
}

function yAxis(ticks: readonly number[], fmt: (v: number) => string): string {
  const max = ticks.at(-1) as number;
  return ticks
    .map((t) => {
      const y = H - M.bottom - (t / max) * (H - M.top - M.bottom);
      return `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${n(y)}" y2="${n(y)}"/><text class="tick" x="${M.left - 6}" y="${n(y + 4)}" text-anchor="end">${esc(fmt(t))}</text>`;
    })
    .join('');
}

function xTimeAxis(fromMs: number, toMs: number, x: (ms: number) => number): string {
  return timeTicks(fromMs, toMs)
    .map(
      (t) =>
        `<line class="grid" x1="${n(x(t.at))}" x2="${n(x(t.at))}" y1="${M.top}" y2="${H - M.bottom}"/><text class="tick" x="${n(x(t.at))}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`,
    )
    .join('');
}

function timeScale(fromMs: number, toMs: number): (ms: number) => number {
  const span = Math.max(1, toMs - fromMs);
  return (ms) => M.left + ((ms - fromMs) / span) * (W - M.left - M.right);
}

function legend(series: readonly Series[], fmt: (v: number) => string): string {
  return `<ul class="legend">${series
    .map(
      (s, i) =>
        `<li data-legend="${esc(s.name)}"><span class="swatch" style="background:${colour(s, i)}"></span>${esc(s.name)} <b>${esc(fmt(s.total))}</b></li>`,
    )
    .join('')}</ul>`;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  /** `data-chart` of the figure, e.g. `posts`. */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly fromMs: number;
  readonly toMs: number;
  /** How values and totals are written. @default count */
  readonly format?: (v: number) => string;
  /** What the legend's figure means, e.g. `total` or `max`. @default 'total' */
  readonly totalIs?: string;
  /** The value axis's ticks for a maximum. @default valueTicks */
  readonly ticks?: (max: number) => number[];
}

/** A line per series over time (x: run start, y: the value of that run). */
export function lineChart(o: LineChartOptions): string {
  const fmt = o.format ?? count;
  const max = Math.max(0, ...o.series.flatMap((s) => s.points.map(([, v]) => v)));
  const ticks = (o.ticks ?? valueTicks)(max);
  const top = ticks.at(-1) as number;
  const x = timeScale(o.fromMs, o.toMs);
  const y = (v: number) => H - M.bottom - (v / top) * (H - M.top - M.bottom);
  const lines = o.series
    .map((s, i) => {
      const c = colour(s, i);
      const pts = s.points.map(([t, v]) => `${n(x(t))},${n(y(v))}`).join(' ');
      const dots =
        s.points.length <= DOTS_UP_TO
          ? s.points
              .map(
                ([t, v]) =>
                  `<circle cx="${n(x(t))}" cy="${n(y(v))}" r="3"><title>${esc(`${s.name}: ${fmt(v)} (${utc(t, true)})`)}</title></circle>`,
              )
              .join('')
          : '';
      return `<g class="series" data-series="${esc(s.name)}" data-total="${s.total}" data-points="${s.points.length}" stroke="${c}" fill="${c}"><polyline fill="none" points="${pts}"/>${dots}</g>`;
    })
    .join('');
  return (
    `<figure class="chart" data-chart="${esc(o.id)}"><figcaption>${esc(o.title)} <small>(${esc(o.totalIs ?? 'total')} in the legend)</small></figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" data-series-count="${o.series.length}">` +
    frame(o.title, o.xLabel, o.yLabel) +
    yAxis(ticks, fmt) +
    xTimeAxis(o.fromMs, o.toMs, x) +
    lines +
    `</svg>${legend(o.series, fmt)}</figure>`
  );
}

/** Bars of spend per UTC day, with the daily budget as a dashed line when one is configured. */
export function spendChart(
  days: readonly { readonly day: string; readonly usd: number }[],
  budget: number | undefined,
  recorded: boolean,
): string {
  const max = Math.max(budget ?? 0, ...days.map((d) => d.usd));
  const ticks = valueTicks(max);
  const top = ticks.at(-1) as number;
  const slot = (W - M.left - M.right) / Math.max(1, days.length);
  const y = (v: number) => H - M.bottom - (v / top) * (H - M.top - M.bottom);
  const every = Math.max(1, Math.ceil(days.length / 10));
  const bars = days
    .map((d, i) => {
      const x = M.left + i * slot;
      const label =
        i % every === 0
          ? `<text class="tick" x="${n(x + slot / 2)}" y="${H - M.bottom + 16}" text-anchor="middle">${d.day.slice(5)}</text>`
          : '';
      return `<rect class="bar" data-day="${d.day}" data-usd="${d.usd}" x="${n(x + slot * 0.15)}" y="${n(y(d.usd))}" width="${n(slot * 0.7)}" height="${n(y(0) - y(d.usd))}"><title>${d.day}: ${usd(d.usd)}</title></rect>${label}`;
    })
    .join('');
  const budgetLine =
    budget === undefined
      ? ''
      : `<g class="budget" data-budget="${budget}"><line x1="${M.left}" x2="${W - M.right}" y1="${n(y(budget))}" y2="${n(y(budget))}"/><text x="${W - M.right - 4}" y="${n(y(budget) - 5)}" text-anchor="end">budget ${usd(budget)}/day</text></g>`;
  const note = recorded
    ? ''
    : `<p class="note">No spend recorded in this period: the runs did not account for billed posts.</p>`;
  const over = budget === undefined ? 0 : days.filter((d) => d.usd > budget).length;
  return (
    `<figure class="chart" data-chart="spend"><figcaption>Spend per day (UTC) against the budget <small>${budget === undefined ? '(no daily budget configured)' : `(${over} day${over === 1 ? '' : 's'} over)`}</small></figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Spend per day" data-series-count="${budget === undefined ? 1 : 2}">` +
    frame('Spend per day', 'day (UTC)', 'spend (USD)') +
    yAxis(ticks, usd) +
    bars +
    budgetLine +
    `</svg>${note}</figure>`
  );
}

/** One row per stream with gaps, a mark per run that skipped posts, sized by the seconds skipped. */
export function gapChart(
  rows: readonly string[],
  marks: readonly GapMark[],
  fromMs: number,
  toMs: number,
): string {
  if (rows.length === 0) {
    return `<figure class="chart" data-chart="gaps" data-marks="0"><figcaption>Gaps</figcaption><p class="note">No gaps in this period: no stream fell behind the API's reach.</p></figure>`;
  }
  const rowH = 22;
  const h = M.top + rows.length * rowH + M.bottom;
  const x = timeScale(fromMs, toMs);
  const rowY = (i: number) => M.top + i * rowH + rowH / 2;
  const index = new Map(rows.map((r, i) => [r, i]));
  const grid = timeTicks(fromMs, toMs)
    .map(
      (t) =>
        `<line class="grid" x1="${n(x(t.at))}" x2="${n(x(t.at))}" y1="${M.top}" y2="${h - M.bottom}"/><text class="tick" x="${n(x(t.at))}" y="${h - M.bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`,
    )
    .join('');
  const labels = rows
    .map(
      (r, i) =>
        `<text class="tick" x="${M.left - 6}" y="${n(rowY(i) + 4)}" text-anchor="end">${esc(r.length > 9 ? `${r.slice(0, 8)}…` : r)}<title>${esc(r)}</title></text>`,
    )
    .join('');
  const dots = marks
    .map((m) => {
      const r = Math.min(9, 3 + Math.log10(1 + m.gapSeconds));
      return `<circle class="gap" data-stream="${esc(m.stream)}" data-gap-seconds="${m.gapSeconds}" cx="${n(x(m.timeMs))}" cy="${n(rowY(index.get(m.row) ?? 0))}" r="${n(r)}"><title>${esc(`${m.stream}: ${m.gaps} gap${m.gaps === 1 ? '' : 's'}, ${duration(m.gapSeconds)} skipped (${utc(m.timeMs, true)})`)}</title></circle>`;
    })
    .join('');
  const yMid = (M.top + h - M.bottom) / 2;
  return (
    `<figure class="chart" data-chart="gaps" data-marks="${marks.length}"><figcaption>Gaps: posts that aged out of the API's reach before they were fetched <small>(a mark per run, sized by the time skipped)</small></figcaption>` +
    `<svg viewBox="0 0 ${W} ${h}" role="img" aria-label="Gaps" data-series-count="${rows.length}">` +
    `<text class="axis-label" data-axis="x" x="${(M.left + W - M.right) / 2}" y="${h - 6}" text-anchor="middle">run start (UTC)</text>` +
    `<text class="axis-label" data-axis="y" x="14" y="${yMid}" text-anchor="middle" transform="rotate(-90 14 ${yMid})">stream</text>` +
    grid +
    labels +
    dots +
    `</svg></figure>`
  );
}
