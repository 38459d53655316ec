/**
 * Parsing of the X API's rate-limit headers. Pure (works on any `get(name)` view of headers), so the
 * HTTP adapter, the emulator's tests and the fake API all read headers the same way.
 */
import type { RateLimitSnapshot } from './ports/x-api.js';

/** Anything with a case-insensitive `get`, like the fetch `Headers` class. */
export interface HeaderReader {
  get(name: string): string | null;
}

const INTEGER = /^\s*[0-9]{1,15}\s*$/;

function readInt(headers: HeaderReader, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !INTEGER.test(raw)) return undefined;
  return Number.parseInt(raw, 10);
}

function readTriple(headers: HeaderReader, prefix: string) {
  const limit = readInt(headers, `${prefix}-limit`);
  const remaining = readInt(headers, `${prefix}-remaining`);
  const reset = readInt(headers, `${prefix}-reset`);
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  // The reset header holds epoch seconds.
  return { limit, remaining, resetAtMs: reset * 1000 };
}

/**
 * The `x-rate-limit-*` window, plus the 24-hour `x-app-limit-24hour-*` / `x-user-limit-24hour-*`
 * when present. Undefined unless all three window headers are present and numeric: half a snapshot
 * would make the limiter pace on made-up numbers.
 */
export function parseRateLimitHeaders(headers: HeaderReader): RateLimitSnapshot | undefined {
  const window = readTriple(headers, 'x-rate-limit');
  const day = readTriple(headers, 'x-app-limit-24hour') ?? readTriple(headers, 'x-user-limit-24hour');
  if (window === undefined) {
    // Only a day limit: present it as the window too, so exhaustion is still respected.
    return day === undefined ? undefined : { ...day, day };
  }
  return day === undefined ? window : { ...window, day };
}

/** The `Date` header as epoch ms (RFC 7231 IMF-fixdate; real traffic also sends `... UTC`). */
export function parseHttpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `Retry-After` (delta seconds or an HTTP date) as milliseconds from `nowMs`; never negative. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (INTEGER.test(value)) return Number.parseInt(value, 10) * 1000;
  const at = parseHttpDate(value);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}
