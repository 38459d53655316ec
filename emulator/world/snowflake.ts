/** Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in epoch milliseconds. */
export const TWEPOCH_MS = 1288834974657;

const TWEPOCH = BigInt(TWEPOCH_MS);

/** Snowflake id whose timestamp is `ms` and whose low 22 bits (worker, sequence) are `low`. */
export function idFromMs(ms: number, low = 0): bigint {
  return ((BigInt(Math.floor(ms)) - TWEPOCH) << 22n) | BigInt(low);
}

/** Creation time, in epoch milliseconds, encoded in a snowflake id. */
export function msFromId(id: bigint): number {
  return Number(id >> 22n) + TWEPOCH_MS;
}

/** `2021-05-18T19:24:56.000Z`: the API's created_at format (milliseconds always `.000`). */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString()}`;
}

/** `2026-07-31T11:45Z`: the minute-precision timestamp used in window error messages. */
export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

const ID_PATTERN = /^[0-9]{1,19}$/;

/** Parses a decimal id as the API accepts it (`^[0-9]{1,19}$`), or returns undefined. */
export function parseId(value: string): bigint | undefined {
  return ID_PATTERN.test(value) ? BigInt(value) : undefined;
}
