/**
 * Delivers batches to the parser function with asynchronous `Invoke` (InvocationType `Event`): Lambda
 * answers 202 once the event is durably queued, which is the acknowledgement the checkpoint waits for.
 * With `RequestResponse` (a parser written for the old poller's synchronous calls) the acknowledgement
 * is the parser's own success: 200 without a function error. The payload's shape is the Batch
 * envelope or one of the old poller's (payload-format.ts).
 * A batch larger than the async payload limit is split into pieces, order kept (see batch-split.ts);
 * `write` resolves only when every piece got its 202.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { splitBatchByBytes } from '../aws/batch-split.js';
import { awsErrorName, isRetryableAwsError } from '../aws/errors.js';
import { SerialWrites } from '../aws/serial-writes.js';
import {
  DEFAULT_ASYNC_PAYLOAD_BYTES,
  formatPayload,
  type InvocationType,
  type PayloadFormat,
} from './payload-format.js';

/** Lambda actions this sink sends: the IAM policy of the poller (on the parser function only). */
export const LAMBDA_SINK_ACTIONS = ['InvokeFunction'] as const;

export interface LambdaInvokeSinkOptions {
  /** Name or ARN of the parser function. */
  readonly functionName: string;
  /** @default a new LambdaClient from the SDK's standard environment, with `maxAttempts` */
  readonly client?: LambdaClient;
  /** Largest payload sent in one Invoke (UTF-8 bytes of the JSON). @default 262144 */
  readonly maxPayloadBytes?: number;
  /** The payload's shape. @default 'envelope' */
  readonly payloadFormat?: PayloadFormat;
  /** `Event` (asynchronous, 202) or `RequestResponse` (waits for the parser, 200). @default 'Event' */
  readonly invocationType?: InvocationType;
  /** SDK attempts per Invoke (throttling 429 and 5xx are retried with backoff) when the sink builds its client. @default 5 */
  readonly maxAttempts?: number;
}

export class LambdaInvokeSink implements Sink {
  readonly functionName: string;
  readonly maxPayloadBytes: number;
  readonly payloadFormat: PayloadFormat;
  readonly invocationType: InvocationType;
  readonly #client: LambdaClient;
  readonly #ownsClient: boolean;
  readonly #writes = new SerialWrites('lambda');

  constructor(options: LambdaInvokeSinkOptions) {
    this.functionName = options.functionName;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_ASYNC_PAYLOAD_BYTES;
    this.payloadFormat = options.payloadFormat ?? 'envelope';
    this.invocationType = options.invocationType ?? 'Event';
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new LambdaClient({ maxAttempts: options.maxAttempts ?? 5 });
  }

  /** Writes run in call order; an empty batch is acknowledged without an Invoke. */
  write(batch: Batch, signal?: AbortSignal): Promise<void> {
    return this.#writes.run(async () => {
      if (batch.tweets.length === 0) return;
      for (const piece of splitBatchByBytes(batch, this.maxPayloadBytes)) {
        await this.#invoke(piece, signal);
      }
    });
  }

  /** An accepted Event invocation is durable on Lambda's side (a RequestResponse one is done): nothing to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if ((await this.#writes.close()) && this.#ownsClient) this.#client.destroy();
  }

  async #invoke(piece: Batch, signal: AbortSignal | undefined): Promise<void> {
    let status: number | undefined;
    let functionError: string | undefined;
    try {
      const out = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: this.invocationType,
          Payload: new TextEncoder().encode(JSON.stringify(formatPayload(piece, this.payloadFormat))),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      status = out.StatusCode;
      functionError = out.FunctionError;
    } catch (error) {
      throw new SinkError(
        `Invoke of ${this.functionName} for batch ${piece.batch_id} failed: ${awsErrorName(error)}`,
        isRetryableAwsError(error),
        { cause: error },
      );
    }
    const expected = this.invocationType === 'Event' ? 202 : 200;
    if (status !== expected) {
      throw new SinkError(
        `Invoke of ${this.functionName} answered ${status ?? 'no status'}, not ${expected}`,
        true,
      );
    }
    if (functionError !== undefined) {
      // The parser threw: the batch was not taken. Retried like a throttle; the checkpoint stays.
      throw new SinkError(
        `parser ${this.functionName} failed on batch ${piece.batch_id}: ${functionError}`,
        true,
      );
    }
  }
}
