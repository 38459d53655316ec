import { describe, expect, it } from 'vitest';
import { jsonBytes, splitBatchByBytes } from '../../src/adapters/aws/batch-split.js';
import type { Batch } from '../../src/core/ports/sink.js';
import type { Tweet } from '../../src/core/ports/x-api.js';

/** 25 posts of one batch; post 0 carries `extraBytes` more (what shrinks between two runs). */
function batchWith(extraBytes: number): Batch {
  const tweets: Tweet[] = Array.from({ length: 25 }, (_, i) => ({
    id: (1_900_000_000_000_000_000n - BigInt(i)).toString(),
    text: `post ${i} ${'x'.repeat(100)}${i === 0 ? 'y'.repeat(extraBytes) : ''}`,
  }));
  return { version: 1, stream: 's', batch_id: 's:top-bottom:25', correlation_id: 'c', tweets };
}

describe('splitBatchByBytes piece ids', () => {
  it('names each piece by its first and last post id', () => {
    const batch = batchWith(1);
    const pieces = splitBatchByBytes(batch, 2_000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(p.batch_id).toBe(`${batch.batch_id}#${p.tweets[0]?.id}-${p.tweets.at(-1)?.id}`);
      expect(jsonBytes(p)).toBeLessThanOrEqual(2_000);
    }
  });

  it('lets a consumer deduplicating on batch_id get every post when the cut moves between runs', () => {
    // Run 1: the first piece holds 20 posts and is delivered; the second fails (checkpoint stays).
    const run1 = batchWith(200);
    const twenty = splitBatchByBytes({ ...run1, tweets: run1.tweets.slice(0, 20) }, 1_000_000)[0] as Batch;
    const limit = jsonBytes(twenty) + 40; // 40: the id suffix the splitter keeps in reserve
    const pieces1 = splitBatchByBytes(run1, limit);
    expect(pieces1.map((p) => p.tweets.length)).toEqual([20, 5]);
    // Run 2: a post shrank (its counts, say), so the first piece now holds 21 posts.
    const pieces2 = splitBatchByBytes(batchWith(0), limit);
    expect(pieces2.map((p) => p.tweets.length)).toEqual([21, 4]);
    // The consumer keeps the first piece of each batch_id it sees.
    const seen = new Map<string, Batch>();
    for (const p of [pieces1[0] as Batch, ...pieces2]) if (!seen.has(p.batch_id)) seen.set(p.batch_id, p);
    const got = new Set([...seen.values()].flatMap((p) => p.tweets.map((t) => t.id)));
    expect(got.size).toBe(25);
  });
});
