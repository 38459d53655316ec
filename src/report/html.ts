/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no script, no external
 * resource), so it opens offline and can be mailed or attached to a ticket as it is.
 */
import { count, duration, durationTicks, esc, usd, utc } from './format.js';
import type { ReportModel, StreamTotals } from './model.js';
import { gapChart, lineChart, spendChart } from './svg-charts.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:20px 16px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6573;margin:0 0 16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px}
.tile{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 12px}
.tile b{display:block;font-size:20px}.tile span{color:#5b6573;font-size:12px}
.tile.bad b{color:#b3261e}
.chart{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:12px 0;padding:10px 12px}
figcaption{font-weight:600;margin-bottom:4px}figcaption small{font-weight:400;color:#5b6573}
svg{width:100%;height:auto;display:block}
svg .grid{stroke:#e6e9ee;stroke-width:1}svg .tick{font-size:11px;fill:#5b6573}
svg .axis-label{font-size:12px;fill:#1d2430}
svg polyline{stroke-width:1.6;stroke-linejoin:round}
svg .bar{fill:#0072b2}svg .budget line{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:6 4}
svg .budget text{font-size:11px;fill:#b3261e}svg .gap{fill:#d55e00;fill-opacity:.75}
.legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.note{color:#5b6573;margin:6px 0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e7;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #eceff3;text-align:left;white-space:nowrap}
td.num,th.num{text-align:right}td.err{white-space:normal;color:#b3261e}
.ok{color:#1b7a3d}.warn{color:#a15c00}.bad{color:#b3261e}
`;

/** Where the report came from, shown under the title. */
export interface ReportMeta {
  /** The store it was read from, e.g. `sqlite:state.db`. */
  readonly store: string;
  /** When it was generated (epoch ms). */
  readonly generatedMs: number;
}

function outcomeClass(outcome: string): string {
  return outcome === 'caught_up' ? 'ok' : outcome === 'failed' || outcome === 'usage_capped' ? 'bad' : 'warn';
}

function tiles(m: ReportModel): string {
  const sum = (f: (s: StreamTotals) => number) => m.streams.reduce((a, s) => a + f(s), 0);
  const spend = sum((s) => s.spendUsd);
  const tile = (label: string, value: string, bad = false) =>
    `<div class="tile${bad ? ' bad' : ''}" data-tile="${esc(label)}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  return `<section class="tiles">${[
    tile('runs', count(m.runs)),
    tile('streams', count(m.streams.length)),
    tile('posts delivered', count(sum((s) => s.posts))),
    tile('requests', count(sum((s) => s.requests))),
    tile('429s', count(sum((s) => s.rateLimited)), sum((s) => s.rateLimited) > 0),
    tile('rate-limit waits', count(sum((s) => s.waits))),
    tile('gaps', count(sum((s) => s.gaps)), sum((s) => s.gaps) > 0),
    tile('streams behind', count(m.behind.length), m.behind.length > 0),
    tile('spend', m.spendRecorded ? usd(spend) : '-'),
  ].join('')}</section>`;
}

function behindTable(m: ReportModel): string {
  if (m.behind.length === 0) {
    return '<p class="note" data-table="behind" data-rows="0">Every stream caught up on its last run and owes nothing.</p>';
  }
  const rows = m.behind
    .map(
      (b) =>
        `<tr data-stream="${esc(b.stream)}"><td>${esc(b.stream)}</td><td class="${outcomeClass(b.outcome)}">${esc(b.outcome)}</td><td class="num">${duration(b.owedAgeSeconds)}</td><td class="num">${duration(b.lagSeconds)}</td><td>${utc(b.lastRunMs)}</td><td class="err">${esc(b.error ?? '')}</td></tr>`,
    )
    .join('');
  return `<table data-table="behind" data-rows="${m.behind.length}"><thead><tr><th>stream</th><th>last outcome</th><th class="num">oldest owed</th><th class="num">lag</th><th>last run (UTC)</th><th>error</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function streamTable(m: ReportModel): string {
  const rows = m.streams
    .map(
      (s) =>
        `<tr data-stream="${esc(s.stream)}" data-posts="${s.posts}"><td>${esc(s.stream)}</td><td class="num">${count(s.runs)}</td><td class="num">${count(s.posts)}</td><td class="num">${count(s.requests)}</td><td class="num">${count(s.rateLimited)}</td><td class="num">${count(s.waits)}</td><td class="num">${count(s.gaps)}</td><td class="num">${duration(s.lastLagSeconds)}</td><td class="${outcomeClass(s.last.outcome)}">${esc(s.last.outcome)}</td><td class="num">${m.spendRecorded ? usd(s.spendUsd) : '-'}</td></tr>`,
    )
    .join('');
  return `<table data-table="streams" data-rows="${m.streams.length}"><thead><tr><th>stream</th><th class="num">runs</th><th class="num">posts</th><th class="num">requests</th><th class="num">429s</th><th class="num">waits</th><th class="num">gaps</th><th class="num">last lag</th><th>last outcome</th><th class="num">spend</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The whole HTML document of a report. */
export function renderReport(m: ReportModel, meta: ReportMeta): string {
  const period = `${utc(m.fromMs)} – ${utc(m.toMs)} UTC`;
  const x = 'run start (UTC)';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>twitter-poller report, ${esc(period)}</title><style>${CSS}</style></head>
<body><main>
<h1>twitter-poller report</h1>
<p class="meta">${esc(period)} · store ${esc(meta.store)} · generated ${esc(utc(meta.generatedMs, true))} UTC</p>
${tiles(m)}
<h2>Streams behind</h2>
${behindTable(m)}
<h2>Is every stream keeping up?</h2>
${lineChart({ id: 'posts', title: 'Posts delivered per run, per stream', xLabel: x, yLabel: 'posts per run', series: m.posts, fromMs: m.fromMs, toMs: m.toMs })}
${lineChart({ id: 'activity', title: 'Requests, 429s and rate-limit waits per run', xLabel: x, yLabel: 'per run', series: m.activity, fromMs: m.fromMs, toMs: m.toMs })}
<h2>How fresh are the posts?</h2>
${lineChart({ id: 'lag', title: 'Freshness lag: newest post created → delivered', xLabel: x, yLabel: 'freshness lag', series: m.lag, fromMs: m.fromMs, toMs: m.toMs, format: (v) => duration(v), totalIs: 'largest', ticks: durationTicks })}
<h2>Where were the gaps?</h2>
${gapChart(m.gapRows, m.gaps, m.fromMs, m.toMs)}
<h2>What did it cost?</h2>
${spendChart(m.spendPerDay, m.budgetUsdPerDay, m.spendRecorded)}
<h2>Every stream</h2>
${streamTable(m)}
</main></body></html>
`;
}
