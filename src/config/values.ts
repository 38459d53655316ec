import { ConfigError } from '../core/errors.js';
import { isValidId } from '../core/ids.js';
import type { LogLevel } from '../core/ports/observability.js';
import type { InitialPosition } from '../core/stream.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Why a value is wrong, without the setting's name; callers prefix it (`invalid --x: ...`). */
export type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An integer >= `min`, from a CLI string or a config-file number. */
export function checkInteger(raw: unknown, min: 0 | 1): Check<number> {
  const reason = min === 1 ? 'must be a positive integer' : 'must be a non-negative integer';
  const n = typeof raw === 'string' && /^[0-9]+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) return { ok: false, reason };
  return { ok: true, value: n };
}

/**
 * Milliseconds of a duration with a unit: `250ms`, `90s`, `15m`, `2h`, `7d` (the one duration syntax
 * of every flag, config key and Lambda variable). Undefined when `text` is not one.
 */
export function parseDurationMs(text: string): number | undefined {
  const m = /^([0-9]{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * A duration as a whole number of `unitMs` (1000 for a seconds setting, 1 for a milliseconds one):
 * `90s`, `15m`, `2h`, `7d`, `250ms`, or a plain number in the setting's own unit, so values written
 * before durations existed keep their meaning.
 */
export function checkDuration(raw: unknown, unitMs: 1 | 1000, min: 0 | 1): Check<number> {
  const unit = unitMs === 1000 ? 'seconds' : 'milliseconds';
  const reason = `must be a duration such as 90s, 15m, 2h or 7d, or a plain number of ${unit}${min === 1 ? ' (more than 0)' : ''}`;
  if (typeof raw === 'number' || (typeof raw === 'string' && /^[0-9]+$/.test(raw.trim()))) {
    return checkInteger(raw, min).ok ? checkInteger(raw, min) : { ok: false, reason };
  }
  if (typeof raw !== 'string') return { ok: false, reason };
  const ms = parseDurationMs(raw);
  if (ms === undefined) return { ok: false, reason };
  if (ms % unitMs !== 0) return { ok: false, reason: `must be a whole number of ${unit}` };
  const value = ms / unitMs;
  return value >= min ? { ok: true, value } : { ok: false, reason };
}

/**
 * `now`, a look-back duration (`90m`, `36h`, `7d`, `30s`) or a post id to start after.
 * @default 'now'
 */
export function checkInitial(raw: unknown): Check<InitialPosition> {
  const reason = 'must be now, a duration like 7d, 36h or 90m, or a post id';
  if (typeof raw !== 'string') return { ok: false, reason };
  const value = raw.trim();
  if (value === 'now') return { ok: true, value: { kind: 'now' } };
  const ms = parseDurationMs(value);
  if (ms !== undefined) return ms > 0 ? { ok: true, value: { kind: 'lookback', ms } } : { ok: false, reason };
  if (isValidId(value)) return { ok: true, value: { kind: 'since_id', id: value } };
  return { ok: false, reason };
}

/** An http(s) URL, without a trailing slash. */
export function checkBaseUrl(raw: unknown): Check<string> {
  const reason = 'must be an http(s) URL such as https://api.x.com';
  if (typeof raw !== 'string' || !URL.canParse(raw)) return { ok: false, reason };
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason };
  return { ok: true, value: raw.replace(/\/+$/, '') };
}

export function checkLogLevel(raw: unknown): Check<LogLevel> {
  return LOG_LEVELS.includes(raw as LogLevel)
    ? { ok: true, value: raw as LogLevel }
    : { ok: false, reason: `must be one of ${LOG_LEVELS.join(', ')}` };
}

/** `replies`, `retweets` or both, comma separated (CLI) or as a list (config file). */
export function checkExclude(raw: unknown): Check<('replies' | 'retweets')[]> {
  const reason = 'must be replies, retweets or replies,retweets';
  const parts = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(parts) || parts.length === 0) return { ok: false, reason };
  const out: ('replies' | 'retweets')[] = [];
  for (const part of parts) {
    if (part !== 'replies' && part !== 'retweets') return { ok: false, reason };
    if (!out.includes(part)) out.push(part);
  }
  return { ok: true, value: out };
}

/** Most a weight may be: beyond it one stream would take everything anyway. */
export const MAX_WEIGHT = 1_000_000;

/** A stream's weight: a positive, finite number (fractions allowed). @default 1 */
export function checkWeight(raw: unknown): Check<number> {
  const reason = `must be a positive number (at most ${MAX_WEIGHT})`;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0 || raw > MAX_WEIGHT)
    return { ok: false, reason };
  return { ok: true, value: raw };
}

/**
 * An amount of US dollars (issue 12: spend budgets and the price per post): a plain decimal number,
 * at least `min` (`'positive'`: above zero). From a CLI string, an env string or a config-file number.
 */
export function checkUsd(raw: unknown, min: 'zero' | 'positive'): Check<number> {
  const reason =
    min === 'zero'
      ? 'must be a non-negative amount of US dollars, such as 5 or 0.75'
      : 'must be a positive amount of US dollars, such as 0.005';
  const n = typeof raw === 'string' && /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (min === 'positive' && n === 0))
    return { ok: false, reason };
  return { ok: true, value: n };
}

/** Unwraps a check or throws the ConfigError naming `setting`. */
export function required<T>(check: Check<T>, setting: string): T {
  if (!check.ok) throw new ConfigError(`invalid ${setting}: ${check.reason}`, setting);
  return check.value;
}

/** How the rate limit is kept: `shared` (the app-wide budget in the store) or `local` (this process only). */
export type RateBudgetMode = 'shared' | 'local';

/** `shared` or `local` (`--rate-budget`, `rate_budget`). */
export function checkRateBudget(raw: unknown): Check<RateBudgetMode> {
  return raw === 'shared' || raw === 'local'
    ? { ok: true, value: raw }
    : { ok: false, reason: `must be shared or local, got ${JSON.stringify(raw)}` };
}

/** A look-back period in the one duration syntax (`30d`, `36h`, `90m`, `45s`), in ms (`report --since`). */
export function checkPeriod(raw: unknown): Check<number> {
  const reason = 'must be a duration like 30d, 36h, 90m or 45s';
  const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
  return ms !== undefined && ms > 0 ? { ok: true, value: ms } : { ok: false, reason };
}
