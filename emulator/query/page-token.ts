import { fnv1a } from '../world/index.js';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Where a pagination token points: strictly older than `id` (next) or newer (previous). */
export interface Cursor {
  readonly direction: 'next' | 'previous';
  readonly id: bigint;
}

function toBase36(n: bigint): string {
  let s = '';
  let v = n;
  while (v > 0n) {
    s = DIGITS[Number(v % 36n)] + s;
    v /= 36n;
  }
  return s || '0';
}

function fromBase36(s: string): bigint | undefined {
  let v = 0n;
  for (const c of s) {
    const d = DIGITS.indexOf(c);
    if (d < 0) return undefined;
    v = v * 36n + BigInt(d);
  }
  return v;
}

const MARK = 0x5a17n;

/**
 * Encodes a cursor as an opaque lowercase base36 token (like the real ones) bound to `scope`
 * (endpoint plus query or user), so a token replayed on another query is rejected.
 */
export function encodeToken(cursor: Cursor, scope: string): string {
  const hash = BigInt(fnv1a(scope));
  const dir = cursor.direction === 'next' ? 1n : 0n;
  return toBase36((((MARK << 64n) | cursor.id) << 34n) | (hash << 2n) | (dir << 1n) | 1n);
}

/** Decodes a token produced by {@link encodeToken} for the same scope, or returns undefined. */
export function decodeToken(token: string, scope: string): Cursor | undefined {
  if (token.length > 64) return undefined;
  const v = fromBase36(token);
  if (v === undefined || (v & 1n) === 0n || v >> 98n !== MARK) return undefined;
  if (((v >> 2n) & 0xffffffffn) !== BigInt(fnv1a(scope))) return undefined;
  return { direction: (v >> 1n) & 1n ? 'next' : 'previous', id: (v >> 34n) & 0xffffffffffffffffn };
}
