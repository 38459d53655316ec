import { describe, expect, it } from 'vitest';
import { batchId, splitIntoBatches, trimIncludes } from '../../src/core/batching.js';
import type { Tweet } from '../../src/core/ports/x-api.js';

const tweets: Tweet[] = [
  { id: '9', text: 'a', author_id: 'u1' },
  { id: '8', text: 'b', author_id: 'u2', referenced_tweets: [{ type: 'quoted', id: '3' }] },
  { id: '7', text: 'c', author_id: 'u1', attachments: { media_keys: ['m1'] } },
  { id: '6', text: 'd', author_id: 'u3' },
  { id: '5', text: 'e', author_id: 'u3' },
];
const includes = {
  users: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }],
  tweets: [{ id: '3', text: 'quoted' }],
  media: [{ media_key: 'm1', type: 'photo' }],
};
const base = { stream: 's', correlationId: 'c' };

describe('splitIntoBatches', () => {
  it.each([
    [1, [1, 1, 1, 1, 1]],
    [2, [2, 2, 1]],
    [5, [5]],
    [25, [5]],
  ])('batch size %i gives batches of %j in order', (batchSize, sizes) => {
    const batches = splitIntoBatches(tweets, includes, { ...base, batchSize });
    expect(batches.map((b) => b.tweets.length)).toEqual(sizes);
    expect(batches.flatMap((b) => b.tweets.map((t) => t.id))).toEqual(['9', '8', '7', '6', '5']);
  });

  it('gives each batch only the includes its posts reference', () => {
    const [first, second, third] = splitIntoBatches(tweets, includes, { ...base, batchSize: 2 });
    expect(first?.includes).toEqual({
      users: [{ id: 'u1' }, { id: 'u2' }],
      tweets: [{ id: '3', text: 'quoted' }],
    });
    expect(second?.includes).toEqual({
      users: [{ id: 'u1' }, { id: 'u3' }],
      media: [{ media_key: 'm1', type: 'photo' }],
    });
    expect(third?.includes).toEqual({ users: [{ id: 'u3' }] });
  });

  it('splits by serialized bytes too, a single large post going alone', () => {
    const big: Tweet[] = [
      { id: '3', text: 'x'.repeat(100) },
      { id: '2', text: 'y' },
      { id: '1', text: 'z' },
    ];
    const batches = splitIntoBatches(big, undefined, { ...base, batchSize: 10, maxBytes: 60 });
    expect(batches.map((b) => b.tweets.map((t) => t.id))).toEqual([['3'], ['2', '1']]);
  });

  it('gives the same batch id to the same posts, and different ids to different posts', () => {
    const a = splitIntoBatches(tweets, undefined, { ...base, batchSize: 2 });
    const b = splitIntoBatches(tweets, undefined, { ...base, batchSize: 2, correlationId: 'other' });
    expect(a.map((x) => x.batch_id)).toEqual(b.map((x) => x.batch_id));
    expect(new Set(a.map((x) => x.batch_id)).size).toBe(3);
    expect(batchId('s', tweets.slice(0, 2))).toBe('s:9-8:2');
  });

  it('carries version, stream and correlation id, and no includes key when none apply', () => {
    const [batch] = splitIntoBatches([{ id: '1' }], includes, { ...base, batchSize: 5 });
    expect(batch).toEqual({
      version: 1,
      stream: 's',
      batch_id: 's:1-1:1',
      correlation_id: 'c',
      tweets: [{ id: '1' }],
    });
    expect(trimIncludes(undefined, tweets)).toBeUndefined();
  });

  it('returns no batch for no posts', () => {
    expect(splitIntoBatches([], includes, { ...base, batchSize: 5 })).toEqual([]);
  });
});
