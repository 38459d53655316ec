import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvokeSink } from '../../src/adapters/sinks/lambda.js';
import { SinkError } from '../../src/core/errors.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { batchSchemaErrors, makeBatch } from '../support/aws/batches.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';

let lambda: FakeLambda;
beforeAll(async () => {
  lambda = await startFakeLambda({ maxPayloadBytes: 262_144 });
});
afterAll(async () => lambda?.close());
afterEach(() => {
  lambda.recover();
  lambda.invocations.length = 0;
});

function makeSink(options: { maxPayloadBytes?: number; maxAttempts?: number } = {}) {
  const client = new LambdaClient({
    ...DUMMY_AWS,
    endpoint: lambda.url,
    maxAttempts: options.maxAttempts ?? 4,
  });
  return new LambdaInvokeSink({
    functionName: 'parser',
    client,
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
  });
}

const payloads = () => lambda.invocations.map((i) => i.payload as Batch);

describe('LambdaInvokeSink', () => {
  it('invokes the parser asynchronously (Event, 202) with one schema-valid batch', async () => {
    const batch = makeBatch(25);
    await makeSink().write(batch);
    expect(lambda.invocations).toHaveLength(1);
    expect(lambda.invocations[0]).toMatchObject({ functionName: 'parser', invocationType: 'Event' });
    expect(payloads()[0]).toEqual(batch);
    expect(batchSchemaErrors(payloads()[0])).toBeNull();
  });

  it('splits a batch above the payload limit into ordered, schema-valid pieces with their own batch_id', async () => {
    const batch = makeBatch(25, { textBytes: 20_000 });
    await makeSink().write(batch);
    const pieces = payloads();
    expect(pieces.length).toBeGreaterThan(1);
    for (const [i, piece] of pieces.entries()) {
      expect(batchSchemaErrors(piece)).toBeNull();
      expect(piece.batch_id).toBe(`${batch.batch_id}#${piece.tweets[0]?.id}-${piece.tweets.at(-1)?.id}`);
      expect(lambda.invocations[i]!.bytes).toBeLessThanOrEqual(262_144);
      const authors = new Set(piece.tweets.map((t) => t.author_id));
      expect(piece.includes?.users?.map((u) => u.id).sort()).toEqual([...authors].sort());
    }
    expect(pieces.flatMap((p) => p.tweets)).toEqual(batch.tweets);
  });

  it('honours a smaller configured limit', async () => {
    await makeSink({ maxPayloadBytes: 4_096 }).write(makeBatch(25, { textBytes: 400 }));
    expect(lambda.invocations.length).toBeGreaterThan(3);
    for (const i of lambda.invocations) expect(i.bytes).toBeLessThanOrEqual(4_096);
  });

  it('refuses, without sending, a post that alone exceeds the limit', async () => {
    const error = await makeSink({ maxPayloadBytes: 1_000 })
      .write(makeBatch(2, { textBytes: 2_000 }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(false);
    expect(lambda.invocations).toHaveLength(0);
  });

  it.each([
    ['429 TooManyRequestsException', 'throttle'],
    ['500 ServiceException', 'server-error'],
  ] as const)('retries %s and resolves once the invocation got 202', async (_label, fault) => {
    lambda.failNext(fault, fault);
    const before = lambda.requests;
    await makeSink().write(makeBatch(3));
    expect(lambda.requests - before).toBe(3);
    expect(lambda.invocations).toHaveLength(1);
  });

  it('rejects with a retryable SinkError when throttling outlasts the retries', async () => {
    lambda.failAlways('throttle');
    const error = await makeSink({ maxAttempts: 2 })
      .write(makeBatch(3))
      .catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(true);
    expect(lambda.invocations).toHaveLength(0);
  });

  it('does not retry a missing function: a non-retryable SinkError at once', async () => {
    lambda.failAlways('not-found');
    const before = lambda.requests;
    const error = await makeSink()
      .write(makeBatch(3))
      .catch((e) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error.retryable).toBe(false);
    expect(lambda.requests - before).toBe(1);
  });

  it('stops at the first piece that fails: later pieces are not sent', async () => {
    const batch = makeBatch(25, { textBytes: 20_000 });
    lambda.failNext('server-error', 'server-error', 'server-error', 'server-error');
    const sink = makeSink({ maxAttempts: 1 });
    await expect(sink.write(batch)).rejects.toBeInstanceOf(SinkError);
    expect(lambda.invocations).toHaveLength(0);
  });
});
