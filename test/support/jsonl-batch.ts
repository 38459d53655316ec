import type { Batch } from '../../src/core/ports/sink.js';

/** A batch of `ids` for the JSONL sink tests: each post's text names its id and its stream. */
export const batch = (stream: string, ids: string[]): Batch => ({
  version: 1,
  stream,
  batch_id: `${stream}-${ids[0]}`,
  correlation_id: 'c',
  tweets: ids.map((id) => ({ id, text: `post ${id} of ${stream}` })),
});
