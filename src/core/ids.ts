/**
 * Post ids are snowflakes above 2^53: they stay strings at the edges and are compared as BigInt.
 * Never `Number(id)`.
 */

/** Milliseconds of the Twitter epoch (2010-11-04T01:42:54.657Z). */
export const TWITTER_EPOCH_MS = 1288834974657n;

const ID_PATTERN = /^[0-9]{1,19}$/;
const MAX_ID = (1n << 63n) - 1n;

/** True when `value` is a decimal string of a positive 63-bit integer, the shape of every X id. */
export function isValidId(value: unknown): value is string {
  return idValue(value) !== undefined;
}

/** The numeric value of a valid id (see {@link isValidId}), undefined for anything else. */
export function idValue(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return undefined;
  const n = BigInt(value);
  return n > 0n && n <= MAX_ID ? n : undefined;
}

/** Numeric comparison of two ids: negative, zero or positive like a sort comparator. */
export function compareIds(a: string, b: string): -1 | 0 | 1 {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The larger of two ids (numerically). */
export function maxId(a: string, b: string): string {
  return compareIds(a, b) >= 0 ? a : b;
}

/** The smaller of two ids (numerically). */
export function minId(a: string, b: string): string {
  return compareIds(a, b) <= 0 ? a : b;
}

/** The creation time (epoch ms) encoded in a snowflake id. */
export function idToTimeMs(id: string): number {
  return Number((BigInt(id) >> 22n) + TWITTER_EPOCH_MS);
}

/** The smallest snowflake id for a moment (epoch ms): its low 22 bits are zero. */
export function timeMsToId(ms: number): string {
  const t = BigInt(Math.floor(ms)) - TWITTER_EPOCH_MS;
  return (t < 0n ? 0n : t << 22n).toString();
}
