/** Batches of synthetic posts for the sink tests, and the batch JSON Schema validator. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Batch } from '../../../src/core/ports/sink.js';
import type { Tweet } from '../../../src/core/ports/x-api.js';

const schema = JSON.parse(readFileSync(new URL('../../../docs/batch.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Validates `payload` against docs/batch.schema.json; returns the error text, or null when valid. */
export function batchSchemaErrors(payload: unknown): string | null {
  return validate(payload) ? null : JSON.stringify(validate.errors);
}

/** A batch of `count` posts, ids descending from `topId`, each with `textBytes` of text and its author in includes. */
export function makeBatch(
  count: number,
  options: { topId?: bigint; textBytes?: number; stream?: string } = {},
): Batch {
  const top = options.topId ?? 1_900_000_000_000_000_000n;
  const stream = options.stream ?? 'news';
  const tweets: Tweet[] = Array.from({ length: count }, (_, i) => ({
    id: (top - BigInt(i)).toString(),
    text: `post ${i} ${'é'.repeat(Math.floor((options.textBytes ?? 40) / 2))}`,
    author_id: String(1000 + (i % 3)),
    created_at: '2026-11-28T12:00:00.000Z',
    edit_history_tweet_ids: [(top - BigInt(i)).toString()],
  }));
  return {
    version: 1,
    stream,
    batch_id: `${stream}:${tweets[0]?.id}-${tweets.at(-1)?.id}:${count}`,
    correlation_id: 'corr-1',
    tweets,
    includes: {
      users: [0, 1, 2, 9].map((n) => ({ id: String(1000 + n), username: `user${n}`, name: `User ${n}` })),
    },
  };
}
