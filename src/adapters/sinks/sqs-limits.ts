/**
 * What SQS accepts, and how the SQS sink maps a stream and its posts into it.
 *
 * | SQS rule                                                                  | Mapping here                           |
 * |---------------------------------------------------------------------------|----------------------------------------|
 * | MessageGroupId: 1-128 chars of `a-z A-Z 0-9` and ASCII punctuation        | `fifoGroupId`: the stream name when it |
 * |   (no space, no non-ASCII)                                                |   obeys; else its safe characters plus |
 * |                                                                           |   `~` and 16 hex of its SHA-256         |
 * | Body: only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF         | `sqsSafeJson`: JSON with U+FFFE and    |
 * |   (U+FFFE and U+FFFF are refused)                                         |   U+FFFF written as `\ufffe` `\uffff`  |
 *
 * JSON.stringify already escapes the control characters and lone surrogates, so after `sqsSafeJson`
 * every body is accepted, and a consumer's JSON.parse gives back exactly the post the API returned.
 */
import { createHash } from 'node:crypto';

/** Longest MessageGroupId SQS accepts. */
export const SQS_GROUP_ID_MAX = 128;

/** The characters SQS allows in a MessageGroupId / MessageDeduplicationId. */
const GROUP_ID_CHARS = /^[!-~]+$/;

/**
 * The MessageGroupId of a stream: its name when SQS accepts it as is (stable for existing queues),
 * else the name with every other character replaced by `_`, cut to fit, then `~` and the first 16 hex
 * digits of the SHA-256 of the whole name (so two names that map alike still get two groups).
 */
export function fifoGroupId(stream: string): string {
  if (stream.length <= SQS_GROUP_ID_MAX && GROUP_ID_CHARS.test(stream)) return stream;
  const hash = createHash('sha256').update(stream, 'utf8').digest('hex').slice(0, 16);
  const safe = [...stream].map((c) => (/^[!-~]$/.test(c) ? c : '_')).join('');
  return `${safe.slice(0, SQS_GROUP_ID_MAX - hash.length - 1)}~${hash}`;
}

/** The JSON of `value`, with the two characters SQS refuses in a body escaped (same value once parsed). */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** True for a body SQS accepts, character-wise (the rule of the table above). */
export function isSqsBodyText(text: string): boolean {
  return !/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(text);
}
