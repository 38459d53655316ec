import type { Batch } from '../../core/ports/sink.js';

/**
 * The JSONL line format shared by the file and stdout sinks: one post per line, exactly as the API
 * returned it, plus `_author` (the expanded user object from `includes.users`) when the post's
 * author was expanded. Keys starting with `_` are never API fields.
 */
export function formatBatchLines(batch: Batch): string {
  // Each author is serialized once per batch and spliced in, rather than copying every post object.
  const authors = new Map<string, string>();
  for (const user of batch.includes?.users ?? []) {
    if (typeof user.id === 'string') authors.set(user.id, JSON.stringify(user));
  }
  let out = '';
  for (const tweet of batch.tweets) {
    const line = JSON.stringify(tweet);
    const author = typeof tweet.author_id === 'string' ? authors.get(tweet.author_id) : undefined;
    // A post object always serializes as `{...}` with at least its id, so the splice keeps valid JSON.
    out += author === undefined ? `${line}\n` : `${line.slice(0, -1)},"_author":${author}}\n`;
  }
  return out;
}
