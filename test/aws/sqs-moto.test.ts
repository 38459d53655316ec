/**
 * The SQS sink against moto_server (a real SQS wire protocol on loopback): a FIFO queue fed by a
 * stream whose name has spaces and colons, posts with U+FFFE/U+FFFF, and a poison post set aside in
 * the dead-letter queue while the stream catches up. Where moto is lenient (it may accept what SQS
 * refuses), test/unit/sqs-limits.test.ts checks the same rules on the mapping itself.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeadLetter, SqsSink } from '../../src/adapters/sinks/sqs.js';
import { fifoGroupId } from '../../src/adapters/sinks/sqs-limits.js';
import { timeMsToId } from '../../src/core/ids.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { runExecution } from '../../src/core/run.js';
import { makeBatch } from '../support/aws/batches.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { type MotoHandle, startMoto } from '../support/aws/moto.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

let moto: MotoHandle;
let client: SQSClient;
beforeAll(async () => {
  moto = await startMoto();
  client = new SQSClient({ ...DUMMY_AWS, endpoint: moto.url, maxAttempts: 2 });
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await moto?.close();
});

let queues = 0;
async function fifoPair(): Promise<{ main: string; dead: string }> {
  const name = `posts${++queues}`;
  const attrs = { FifoQueue: 'true', ContentBasedDeduplication: 'false' };
  const main = await client.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: attrs }));
  const dead = await client.send(
    new CreateQueueCommand({ QueueName: `${name}-dead-letter.fifo`, Attributes: attrs }),
  );
  return { main: main.QueueUrl as string, dead: dead.QueueUrl as string };
}

/** Every message of a queue (bounded: moto returns what it has at once). */
async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
        WaitTimeSeconds: 0,
        VisibilityTimeout: 300,
      }),
    );
    const got = r.Messages ?? [];
    if (got.length === 0) break;
    all.push(...got);
    // A FIFO group hands out nothing more while messages of it are in flight: delete what was read.
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: got.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
  return all;
}

describe('SqsSink against moto_server', () => {
  it('delivers a stream named with spaces and colons to a FIFO queue, under a valid group id', async () => {
    const { main } = await fifoPair();
    const stream = 'search:from:XDevelopers -is:retweet';
    const sink = new SqsSink({ queueUrl: main, client });
    const batch = makeBatch(12, { stream });
    await sink.write(batch);
    const got = await drain(main);
    expect(got.map((m) => (JSON.parse(m.Body ?? '') as Batch).tweets[0]?.id)).toEqual(
      batch.tweets.map((t) => t.id),
    );
    const group = got[0]?.Attributes?.MessageGroupId;
    expect(group).toBe(fifoGroupId(stream));
    expect(group).toMatch(/^[!-~]{1,128}$/);
  });

  it('delivers posts holding U+FFFE and U+FFFF, parsed back unchanged', async () => {
    const { main } = await fifoPair();
    const batch = makeBatch(2, { stream: 'news' });
    const texts = ['noncharacter \uFFFE here', 'and \uFFFF there'];
    const odd: Batch = { ...batch, tweets: batch.tweets.map((t, i) => ({ ...t, text: texts[i] as string })) };
    await new SqsSink({ queueUrl: main, client }).write(odd);
    const got = (await drain(main)).map((m) => (JSON.parse(m.Body ?? '') as Batch).tweets[0]?.text);
    expect(got).toEqual(texts);
  });

  it('sets a refused-for-good post aside in the dead-letter queue while the stream catches up', async () => {
    const { main, dead } = await fifoPair();
    const START = Date.UTC(2026, 10, 28, 12, 0, 0);
    const ids = recentIds(START, 30);
    const poison = ids[7] as string;
    const h = harness(ids);
    // One post far larger than a message may be (the limit is lowered to make it cheap).
    h.api.transform = (body) => {
      const data = (body.data ?? []) as { id: string; text?: string }[];
      return { ...body, data: data.map((t) => (t.id === poison ? { ...t, text: 'x'.repeat(5_000) } : t)) };
    };
    const letters: DeadLetter[] = [];
    const sink = new SqsSink({
      queueUrl: main,
      client,
      maxRequestBytes: 2_000,
      onDeadLetter: (l) => letters.push(l),
    });
    const stream = searchStream({ initial: { kind: 'since_id', id: timeMsToId(START - 600_000) } });
    const summary = await runExecution({ ...h.deps, sink }, [stream], testOptions({ batchSize: 10 }));
    expect(summary.streams[0]?.outcome).toBe('caught_up');
    const delivered = (await drain(main)).map((m) => (JSON.parse(m.Body ?? '') as Batch).tweets[0]?.id);
    expect(delivered).toEqual(ids.filter((id) => id !== poison));
    const set = (await drain(dead)).map((m) => JSON.parse(m.Body ?? '') as Record<string, unknown>);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({
      kind: 'dead_letter',
      post_id: poison,
      reason: 'too_large',
      stream: stream.name,
    });
    expect(letters.map((l) => l.post_id)).toEqual([poison]);
    expect((await h.store.load(stream.name))?.sinceId).toBe(ids[0]);
  });

  it('fails the write (the checkpoint stays) when the dead-letter queue does not exist', async () => {
    const { main } = await fifoPair();
    const sink = new SqsSink({
      queueUrl: main,
      client,
      maxRequestBytes: 1_000,
      deadLetterQueueUrl: `${main.replace(/\.fifo$/, '')}-missing.fifo`,
    });
    const error = await sink.write(makeBatch(1, { textBytes: 3_000 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sink', retryable: true });
    expect(String((error as Error).message)).toContain('did not take it');
  });
});
