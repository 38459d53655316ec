/**
 * Splits a Batch whose JSON exceeds a byte limit into consecutive pieces, order kept. Each piece is a
 * complete Batch (same stream and correlation id, its own trimmed `includes`) whose batch_id names its
 * content: `<batch_id>#<first post id>-<last post id>`. Which posts land in which piece depends on the
 * posts' bytes (a count that shrank between two runs moves the cut), so a position such as "piece 1
 * of 2" would name different posts in different runs; the first and last id of a piece of one batch
 * always name the same posts, so deduplicating on batch_id never drops a post.
 */
import { trimIncludes } from '../../core/batching.js';
import { SinkError } from '../../core/errors.js';
import type { Batch } from '../../core/ports/sink.js';
import type { Tweet } from '../../core/ports/x-api.js';

const encoder = new TextEncoder();

/** UTF-8 bytes of the JSON of `value`, the size AWS counts. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

function piece(batch: Batch, tweets: readonly Tweet[], batchId: string): Batch {
  const includes = trimIncludes(batch.includes, tweets);
  const base = {
    version: batch.version,
    stream: batch.stream,
    batch_id: batchId,
    correlation_id: batch.correlation_id,
    tweets,
  };
  return includes === undefined ? base : { ...base, includes };
}

/** Longest suffix the splitter appends (`#` and two 19-digit ids joined by `-`), kept in reserve while measuring. */
const SUFFIX_RESERVE = '#'.length + 19 + '-'.length + 19;

/** The batch_id of a piece holding `tweets` (non-empty) of `batch`. */
export function pieceId(batch: Batch, tweets: readonly Tweet[]): string {
  return `${batch.batch_id}#${tweets[0]?.id}-${tweets[tweets.length - 1]?.id}`;
}

/**
 * Pieces of `batch`, each at most `maxBytes` of JSON. The batch itself when it fits. Throws a
 * non-retryable SinkError when one post alone (with its includes) is larger than the limit.
 */
export function splitBatchByBytes(batch: Batch, maxBytes: number): Batch[] {
  if (jsonBytes(batch) <= maxBytes) return [batch];
  const groups: Tweet[][] = [];
  let current: Tweet[] = [];
  const fits = (tweets: readonly Tweet[]) =>
    jsonBytes(piece(batch, tweets, batch.batch_id)) + SUFFIX_RESERVE <= maxBytes;
  for (const tweet of batch.tweets) {
    if (!fits([tweet])) {
      throw new SinkError(
        `post ${tweet.id} of stream "${batch.stream}" exceeds the ${maxBytes}-byte payload limit on its own`,
        false,
      );
    }
    if (current.length > 0 && !fits([...current, tweet])) {
      groups.push(current);
      current = [];
    }
    current.push(tweet);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((tweets) => piece(batch, tweets, pieceId(batch, tweets)));
}
