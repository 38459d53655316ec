/**
 * The shapes of the payload the Lambda sink sends to the parser function (PAYLOAD_FORMAT /
 * `payload_format`), so a parser written against the old poller keeps working unchanged:
 *
 *   envelope  the Batch: {version, stream, batch_id, correlation_id, tweets, includes?}   (default)
 *             docs/batch.schema.json
 *   tweets    {"tweets": [post, ...]}        the raw post objects only       docs/payload-tweets.schema.json
 *   array     [post, ...]                    a bare JSON array of posts      docs/payload-array.schema.json
 *
 * `tweets` and `array` leave out the includes, the stream and the batch id: a parser that needs
 * them reads the envelope. Their JSON is never larger than the envelope's, so pieces split to fit
 * the envelope under the payload limit fit in every format.
 */
import type { Batch } from '../../core/ports/sink.js';

/** Lambda's asynchronous invocation payload limit (256 KiB): the sink's largest payload unless told. */
export const DEFAULT_ASYNC_PAYLOAD_BYTES = 262_144;

/** Every payload format, the default first. */
export const PAYLOAD_FORMATS = ['envelope', 'tweets', 'array'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** Every Invoke type the Lambda sink can use, the default first. */
export const INVOCATION_TYPES = ['Event', 'RequestResponse'] as const;
export type InvocationType = (typeof INVOCATION_TYPES)[number];

/** The payload of one Invoke for `batch` in `format`. */
export function formatPayload(batch: Batch, format: PayloadFormat): unknown {
  switch (format) {
    case 'envelope':
      return batch;
    case 'tweets':
      return { tweets: batch.tweets };
    case 'array':
      return batch.tweets;
  }
}
