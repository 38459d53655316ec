/** Text helpers of the HTML report: escaping, numbers, durations, UTC times and axis ticks. */

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A count with thousands separators: 12,345. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** US dollars: $1.23 (4 decimals below a cent). */
export function usd(n: number): string {
  return n !== 0 && Math.abs(n) < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

/** A duration in seconds as 45s, 12m, 3.5h, 2.1d; '-' for null. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

/** `2026-12-01 10:15:30 UTC` style, seconds dropped when `seconds` is false. */
export function utc(ms: number, seconds = false): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** Round numbers for a value axis from 0 to at least `max`: 0, step, 2·step ... (about 5 ticks). */
export function valueTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step && ticks.length < 12; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const TIME_STEPS_MS = [
  1_000, 5_000, 15_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000,
  43_200_000, 86_400_000, 172_800_000, 604_800_000, 2_592_000_000,
];

/** Time ticks between `from` and `to` (epoch ms) on round UTC boundaries, about 6 of them, with labels. */
export function timeTicks(from: number, to: number): { at: number; label: string }[] {
  const span = Math.max(1, to - from);
  const step = TIME_STEPS_MS.find((s) => span / s <= 7) ?? (TIME_STEPS_MS.at(-1) as number);
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(from / step) * step; at <= to && ticks.length < 10; at += step) {
    const iso = new Date(at).toISOString();
    const label =
      step < 60_000
        ? iso.slice(11, 19)
        : step < 86_400_000
          ? span < 86_400_000
            ? iso.slice(11, 16)
            : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
          : iso.slice(0, 10);
    ticks.push({ at, label });
  }
  return ticks;
}

/** Ticks for an axis of seconds on round units: seconds, minutes, hours or days as the range needs. */
export function durationTicks(maxSeconds: number): number[] {
  const unit = maxSeconds >= 172_800 ? 86_400 : maxSeconds >= 7_200 ? 3_600 : maxSeconds >= 120 ? 60 : 1;
  return valueTicks(maxSeconds / unit).map((t) => Number((t * unit).toPrecision(12)));
}
