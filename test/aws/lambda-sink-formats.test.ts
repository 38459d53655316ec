/**
 * The payload formats and Invoke types of the Lambda sink, for parsers written against the old
 * poller: each payload is checked against its JSON Schema in docs/, through the real SDK client and
 * a loopback Invoke endpoint.
 */
import { readFileSync } from 'node:fs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvokeSink } from '../../src/adapters/sinks/lambda.js';
import type { InvocationType, PayloadFormat } from '../../src/adapters/sinks/payload-format.js';
import { SinkError } from '../../src/core/errors.js';
import { makeBatch } from '../support/aws/batches.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const schemaOf = (file: string) =>
  ajv.compile(JSON.parse(readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8')));
const SCHEMAS = {
  envelope: schemaOf('batch.schema.json'),
  tweets: schemaOf('payload-tweets.schema.json'),
  array: schemaOf('payload-array.schema.json'),
};

let lambda: FakeLambda;
beforeAll(async () => {
  lambda = await startFakeLambda({ maxPayloadBytes: 8_000 });
});
afterAll(async () => lambda?.close());
afterEach(() => {
  lambda.recover();
  lambda.invocations.length = 0;
});

function sink(
  payloadFormat: PayloadFormat,
  invocationType: InvocationType = 'Event',
  maxPayloadBytes = 262_144,
) {
  const client = new LambdaClient({ ...DUMMY_AWS, endpoint: lambda.url, maxAttempts: 1 });
  return new LambdaInvokeSink({
    functionName: 'parser',
    client,
    payloadFormat,
    invocationType,
    maxPayloadBytes,
  });
}

const idsOf = (payload: unknown): string[] =>
  (Array.isArray(payload) ? payload : ((payload as { tweets: { id: string }[] }).tweets ?? [])).map(
    (t: { id: string }) => t.id,
  );

describe('LambdaInvokeSink payload formats', () => {
  it.each(['envelope', 'tweets', 'array'] as const)(
    'sends %s payloads valid against their schema',
    async (format) => {
      const batch = makeBatch(10);
      await sink(format).write(batch);
      const [invocation] = lambda.invocations;
      expect(SCHEMAS[format](invocation?.payload), JSON.stringify(SCHEMAS[format].errors)).toBe(true);
      expect(idsOf(invocation?.payload)).toEqual(batch.tweets.map((t) => t.id));
      // Each schema describes one format only.
      for (const other of Object.keys(SCHEMAS).filter((f) => f !== format)) {
        expect(SCHEMAS[other as PayloadFormat](invocation?.payload)).toBe(false);
      }
    },
  );

  it('sends the raw posts unchanged in the tweets and array formats', async () => {
    const batch = makeBatch(3);
    await sink('tweets').write(batch);
    await sink('array').write(batch);
    expect(lambda.invocations.map((i) => i.payload)).toEqual([{ tweets: batch.tweets }, batch.tweets]);
  });

  it.each(['tweets', 'array'] as const)(
    'splits %s payloads under the byte limit, order kept',
    async (format) => {
      const batch = makeBatch(40, { textBytes: 400 });
      await sink(format, 'Event', 8_000).write(batch);
      expect(lambda.invocations.length).toBeGreaterThan(1);
      expect(lambda.invocations.every((i) => i.bytes <= 8_000)).toBe(true);
      expect(lambda.invocations.flatMap((i) => idsOf(i.payload))).toEqual(batch.tweets.map((t) => t.id));
    },
  );

  it('waits for the parser with RequestResponse and fails the batch (retryable) when it throws', async () => {
    await sink('array', 'RequestResponse').write(makeBatch(2));
    expect(lambda.invocations[0]?.invocationType).toBe('RequestResponse');
    lambda.failNext('function-error');
    const error = await sink('array', 'RequestResponse')
      .write(makeBatch(2))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retryable).toBe(true);
    expect((error as Error).message).toContain('Unhandled');
  });
});
