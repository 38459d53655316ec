import type { ScaleResult } from './scenarios.js';

const W = 360;
const H = 240;
const PAD = { left: 56, right: 16, top: 28, bottom: 40 };

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly values: readonly number[];
  /** Reference values (e.g. linear growth), dashed. */
  readonly reference?: readonly number[];
  readonly color: string;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(x0: number, posts: readonly number[], p: Panel): string {
  const lx = posts.map((n) => Math.log10(n));
  const xmin = Math.min(...lx);
  const xmax = Math.max(...lx);
  const ymax = niceMax(
    Math.max(...p.values.filter(Number.isFinite), ...(p.reference ?? []).filter(Number.isFinite)),
  );
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const X = (n: number) =>
    x0 + PAD.left + (xmax === xmin ? iw / 2 : ((Math.log10(n) - xmin) / (xmax - xmin)) * iw);
  const Y = (v: number) => PAD.top + ih - (v / ymax) * ih;
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(
    `<line x1="${x0 + PAD.left}" y1="${PAD.top + ih}" x2="${x0 + PAD.left + iw}" y2="${PAD.top + ih}" stroke="#333"/>`,
    `<line x1="${x0 + PAD.left}" y1="${PAD.top}" x2="${x0 + PAD.left}" y2="${PAD.top + ih}" stroke="#333"/>`,
  );
  for (let k = 0; k <= 4; k++) {
    const v = (ymax * k) / 4;
    out.push(
      `<line x1="${x0 + PAD.left}" y1="${Y(v)}" x2="${x0 + PAD.left + iw}" y2="${Y(v)}" stroke="#ddd"/>`,
      `<text x="${x0 + PAD.left - 6}" y="${Y(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text>`,
    );
  }
  for (const n of posts) {
    out.push(
      `<text x="${X(n)}" y="${PAD.top + ih + 16}" text-anchor="middle">${n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : n}</text>`,
    );
  }
  out.push(`<text x="${x0 + PAD.left + iw / 2}" y="${H - 6}" text-anchor="middle">posts (log scale)</text>`);
  out.push(
    `<text x="${x0 + 14}" y="${PAD.top + ih / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${PAD.top + ih / 2})">${esc(p.unit)}</text>`,
  );
  if (p.reference) {
    const pts = posts.map((n, i) => `${X(n)},${Y(p.reference![i]!)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  const pts = posts
    .map((n, i) => [n, p.values[i]!] as const)
    .filter(([, v]) => Number.isFinite(v))
    .map(([n, v]) => `${X(n)},${Y(v)}`)
    .join(' ');
  out.push(`<polyline points="${pts}" fill="none" stroke="${p.color}" stroke-width="2"/>`);
  posts.forEach((n, i) => {
    const v = p.values[i]!;
    if (!Number.isFinite(v)) return;
    out.push(
      `<circle cx="${X(n)}" cy="${Y(v)}" r="3.5" fill="${p.color}"/>`,
      `<text x="${X(n)}" y="${Y(v) - 8}" text-anchor="middle">${Number(v.toPrecision(3))}</text>`,
    );
  });
  return out.join('\n');
}

/** Two panels: wall time vs posts (dashed: linear growth from the smallest run) and peak RSS vs posts. */
export function scaleSvg(scale: ScaleResult): string {
  const posts = scale.points.map((p) => p.posts);
  const wall = scale.points.map((p) => p.summary.wallMs / 1000);
  const rss = scale.points.map((p) => p.summary.peakRssMb);
  const first = scale.points[0];
  const linear = first ? posts.map((n) => (first.summary.wallMs / 1000) * (n / first.posts)) : undefined;
  const flat = first ? posts.map(() => first.summary.peakRssMb) : undefined;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, posts, {
      title: 'CLI drain: wall time',
      unit: 'seconds',
      values: wall,
      color: '#1f77b4',
      ...(linear ? { reference: linear } : {}),
    }),
    panel(W, posts, {
      title: 'CLI drain: peak RSS',
      unit: 'MB',
      values: rss,
      color: '#d62728',
      ...(flat ? { reference: flat } : {}),
    }),
    '</svg>',
    '',
  ].join('\n');
}
