/**
 * Delivers batches to the parser function with asynchronous `Invoke` (InvocationType `Event`): Lambda
 * answers 202 once the event is durably queued, which is the acknowledgement the checkpoint waits for.
 * A batch larger than the async payload limit is split into pieces, order kept (see batch-split.ts);
 * `write` resolves only when every piece got its 202.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { splitBatchByBytes } from '../aws/batch-split.js';
import { awsErrorName, isRetryableAwsError } from '../aws/errors.js';
import { SerialWrites } from '../aws/serial-writes.js';

/** Lambda actions this sink sends: the IAM policy of the poller (on the parser function only). */
export const LAMBDA_SINK_ACTIONS = ['InvokeFunction'] as const;

/** The asynchronous invocation payload limit this sink assumes by default (256 KiB). */
export const DEFAULT_ASYNC_PAYLOAD_BYTES = 262_144;

export interface LambdaInvokeSinkOptions {
  /** Name or ARN of the parser function. */
  readonly functionName: string;
  /** @default a new LambdaClient from the SDK's standard environment, with `maxAttempts` */
  readonly client?: LambdaClient;
  /** Largest payload sent in one Invoke (UTF-8 bytes of the JSON). @default 262144 */
  readonly maxPayloadBytes?: number;
  /** SDK attempts per Invoke (throttling 429 and 5xx are retried with backoff) when the sink builds its client. @default 5 */
  readonly maxAttempts?: number;
}

export class LambdaInvokeSink implements Sink {
  readonly functionName: string;
  readonly maxPayloadBytes: number;
  readonly #client: LambdaClient;
  readonly #ownsClient: boolean;
  readonly #writes = new SerialWrites('lambda');

  constructor(options: LambdaInvokeSinkOptions) {
    this.functionName = options.functionName;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_ASYNC_PAYLOAD_BYTES;
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

  /** An accepted Event invocation is durable on Lambda's side: nothing left to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if ((await this.#writes.close()) && this.#ownsClient) this.#client.destroy();
  }

  async #invoke(piece: Batch, signal: AbortSignal | undefined): Promise<void> {
    let status: number | undefined;
    try {
      const out = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(piece)),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      status = out.StatusCode;
    } catch (error) {
      throw new SinkError(
        `Invoke of ${this.functionName} for batch ${piece.batch_id} failed: ${awsErrorName(error)}`,
        isRetryableAwsError(error),
        { cause: error },
      );
    }
    if (status !== 202) {
      throw new SinkError(`Invoke of ${this.functionName} answered ${status ?? 'no status'}, not 202`, true);
    }
  }
}
