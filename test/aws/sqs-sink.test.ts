import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsSink } from '../../src/adapters/sinks/sqs.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import { SinkError } from '../../src/core/errors.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { withRetry } from '../../src/core/retry.js';
import { batchSchemaErrors, makeBatch } from '../support/aws/batches.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { type FakeSqs, startFakeSqs } from '../support/aws/fake-sqs.js';
import { ManualClock } from '../support/manual-clock.js';

let sqs: FakeSqs;
beforeAll(async () => {
  sqs = await startFakeSqs();
});
afterAll(async () => sqs?.close());
beforeEach(() => {
  sqs.messages.length = 0;
  sqs.calls.length = 0;
  sqs.failEntry = () => undefined;
});

function makeSink(queue = 'queue', options: { maxRequestBytes?: number } = {}) {
  const client = new SQSClient({ ...DUMMY_AWS, endpoint: sqs.url, maxAttempts: 3 });
  return new SqsSink({ queueUrl: `${sqs.url}/123456789012/${queue}`, client, ...options });
}

/** Writes `batch` under core's retry policy (the one the poll loop uses); the waits are not slept. */
async function writeWithPolicy(sink: SqsSink, batch: Batch, maxAttempts: number): Promise<unknown> {
  const retry = { ...DEFAULT_RUN_OPTIONS.retry, maxAttempts };
  return withRetry(() => sink.write(batch), { retry, clock: new ManualClock() }).then(
    () => 'delivered',
    (e: unknown) => e,
  );
}
const bodies = () => sqs.messages.map((m) => m.body as Batch);

describe('SqsSink', () => {
  it('sends one schema-valid message per post, at most 10 per SendMessageBatch, order kept', async () => {
    const batch = makeBatch(25);
    await makeSink().write(batch);
    expect(sqs.calls).toEqual([10, 10, 5]);
    expect(bodies().map((b) => b.tweets[0]?.id)).toEqual(batch.tweets.map((t) => t.id));
    for (const body of bodies()) {
      expect(batchSchemaErrors(body)).toBeNull();
      expect(body.tweets).toHaveLength(1);
      expect(body.includes?.users?.map((u) => u.id)).toEqual([body.tweets[0]?.author_id]);
    }
    expect(bodies()[0]?.batch_id).toBe(`${batch.batch_id}#${batch.tweets[0]?.id}`);
    expect(sqs.messages[0]?.groupId).toBeUndefined();
  });

  it('keeps every call under the byte limit', async () => {
    await makeSink('queue', { maxRequestBytes: 8_000 }).write(makeBatch(10, { textBytes: 2_000 }));
    expect(sqs.calls.length).toBeGreaterThan(2);
    expect(sqs.messages).toHaveLength(10);
  });

  it('sets MessageGroupId (stream) and MessageDeduplicationId (post id) on a FIFO queue', async () => {
    const batch = makeBatch(3);
    await makeSink('posts.fifo').write(batch);
    expect(sqs.messages.map((m) => [m.groupId, m.dedupId])).toEqual(batch.tweets.map((t) => ['news', t.id]));
  });

  it('fails a write with some entries in Failed (retryable); the retry sends only those entries', async () => {
    const failedOnce = new Set<string>();
    sqs.failEntry = (entry, call) => {
      if (call === 0 && ['m2', 'm7'].includes(entry.Id) && !failedOnce.has(entry.Id)) {
        failedOnce.add(entry.Id);
        return 'InternalError';
      }
      return undefined;
    };
    const batch = makeBatch(10);
    const sink = makeSink();
    const error = await sink.write(batch).catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(true);
    await sink.write(batch);
    expect(sqs.calls).toEqual([10, 2]);
    expect(new Set(bodies().map((b) => b.tweets[0]?.id))).toEqual(new Set(batch.tweets.map((t) => t.id)));
    expect(sqs.messages).toHaveLength(10);
  });

  it('sends a whole new batch in full, even after a partial failure of the one before', async () => {
    sqs.failEntry = (entry, call) => (call === 0 && entry.Id === 'm1' ? 'InternalError' : undefined);
    const sink = makeSink();
    await sink.write(makeBatch(3)).catch(() => undefined);
    await sink.write(makeBatch(4, { topId: 900_000n }));
    expect(sqs.calls).toEqual([3, 4]);
  });

  it.each([1, 3, 5])(
    'under core retry policy of %i attempts, an entry failing every time costs that many calls in all',
    async (maxAttempts) => {
      sqs.failEntry = (entry) => (entry.Id === 'm1' ? 'ServiceUnavailable' : undefined);
      const error = await writeWithPolicy(makeSink(), makeBatch(4), maxAttempts);
      expect(error).toBeInstanceOf(SinkError);
      expect((error as SinkError).retryable).toBe(true);
      expect(sqs.calls).toEqual([4, ...Array.from({ length: maxAttempts - 1 }, () => 1)]);
      expect(sqs.messages).toHaveLength(3);
    },
  );

  it('a whole call failing mid-batch is resent from that call on, under the same attempts', async () => {
    const batch = makeBatch(15);
    const sink = makeSink();
    // The SDK client retries 3 times: three 500s fail the second call (entries m10-m14) whole.
    let served = 0;
    sqs.failEntry = () => {
      served++;
      if (served === 10) sqs.failNextCalls(3, 'server-error');
      return undefined;
    };
    expect(await writeWithPolicy(sink, batch, DEFAULT_RUN_OPTIONS.retry.maxAttempts)).toBe('delivered');
    expect(sqs.calls).toEqual([10, 5]);
    expect(bodies().map((b) => b.tweets[0]?.id)).toEqual(batch.tweets.map((t) => t.id));
  });

  it('sets an entry refused as InvalidMessageContents aside in the dead-letter queue, not retried', async () => {
    sqs.failEntry = (entry) => (entry.Id === 'm0' ? 'InvalidMessageContents' : undefined);
    const batch = makeBatch(2);
    await makeSink().write(batch);
    expect(sqs.calls).toEqual([2, 1]);
    expect(bodies().map((b) => (b as unknown as { post_id?: string }).post_id ?? b.tweets[0]?.id)).toEqual([
      batch.tweets[1]?.id,
      batch.tweets[0]?.id,
    ]);
  });

  it('fails the write, retryable, when the dead-letter queue refuses the poison post too', async () => {
    sqs.failEntry = (entry) => (entry.Id === 'm0' ? 'InvalidMessageContents' : undefined);
    const sink = makeSink();
    // The dead-letter queue refuses too: the write fails, retryable (nothing is dropped silently).
    sqs.failEntry = (entry) =>
      entry.Id === 'm0' || entry.Id === 'dead0' ? 'InvalidMessageContents' : undefined;
    const error = await sink.write(makeBatch(2)).catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(true);
    expect(sqs.calls).toEqual([2, 1]);
  });

  it.each(['throttle', 'server-error'] as const)(
    'rides out a whole-call %s through the SDK retries',
    async (kind) => {
      sqs.failNextCalls(2, kind);
      await makeSink().write(makeBatch(3));
      expect(sqs.messages).toHaveLength(3);
    },
  );

  it('rejects when whole calls keep failing', async () => {
    sqs.failNextCalls(3, 'server-error');
    const error = await makeSink()
      .write(makeBatch(3))
      .catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(true);
    expect(sqs.messages).toHaveLength(0);
  });
});
