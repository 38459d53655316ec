import type { Batch } from '../../core/ports/sink.js';

/**
 * The JSONL line format shared by the file and stdout sinks: one post per line, exactly as the API
 * returned it, plus `_author` (the expanded user object from `includes.users`) when the post's
 * author was expanded. Keys starting with `_` are never API fields.
 */
export function formatBatchLines(batch: Batch): string {
  const users = new Map<string, Record<string, unknown>>();
  for (const user of batch.includes?.users ?? []) {
    if (typeof user.id === 'string') users.set(user.id, user);
  }
  let out = '';
  for (const tweet of batch.tweets) {
    const author = typeof tweet.author_id === 'string' ? users.get(tweet.author_id) : undefined;
    out += `${JSON.stringify(author === undefined ? tweet : { ...tweet, _author: author })}\n`;
  }
  return out;
}
