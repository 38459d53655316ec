/**
 * The fan-out queue on SQS: the planner sends one message per shard (SendMessageBatch, 10 a call,
 * failed entries sent again, bounded); a worker outside Lambda receives, and deletes a shard once
 * it is done. Inside Lambda the event source mapping receives and deletes (ReportBatchItemFailures).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ShardMessage } from '../../core/fleet.js';
import { toAwsServiceError } from './errors.js';
import { SqsShardSender } from './shard-sender.js';

/** SQS actions of the planner (SendMessageBatch is authorised by `sqs:SendMessage`). */
export const SHARD_PLANNER_ACTIONS = ['SendMessage'] as const;
/** SQS actions of a worker's event source mapping. */
export const SHARD_WORKER_ACTIONS = ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'] as const;

/** One received shard message. */
export interface ReceivedShard {
  readonly body: string;
  readonly receiptHandle: string;
  /** How many times SQS has handed it out (2 and more: a worker before this one did not finish). */
  readonly receiveCount: number;
}

/** Options of {@link SqsShardQueue}. */
export interface SqsShardQueueOptions {
  readonly queueUrl: string;
  /** @default a new SQSClient from the SDK's standard environment */
  readonly client?: SQSClient;
  /** Rounds of re-sending entries SQS reported as failed. @default 5 */
  readonly maxRounds?: number;
}

/** The shard queue on one SQS queue. */
export class SqsShardQueue {
  readonly queueUrl: string;
  readonly #client: SQSClient;
  readonly #ownsClient: boolean;
  readonly #sender: SqsShardSender;

  constructor(options: SqsShardQueueOptions) {
    this.queueUrl = options.queueUrl;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new SQSClient({});
    this.#sender = new SqsShardSender({
      queueUrl: this.queueUrl,
      client: this.#client,
      ...(options.maxRounds === undefined ? {} : { maxRounds: options.maxRounds }),
    });
  }

  /** Sends every shard (SqsShardSender: 10 a call, failed entries sent again, bounded). */
  send(shards: readonly ShardMessage[]): Promise<void> {
    return this.#sender.send(shards);
  }

  /** One message, or null when none is visible within `waitSeconds`. */
  async receive(visibilityTimeoutSeconds: number, waitSeconds = 0): Promise<ReceivedShard | null> {
    const out = await this.#call('ReceiveMessage', () =>
      this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 1,
          VisibilityTimeout: visibilityTimeoutSeconds,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      ),
    );
    const m = out.Messages?.[0];
    if (m?.Body === undefined || m.ReceiptHandle === undefined) return null;
    return {
      body: m.Body,
      receiptHandle: m.ReceiptHandle,
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
    };
  }

  /** Deletes a finished shard. */
  async delete(receiptHandle: string): Promise<void> {
    await this.#call('DeleteMessage', () =>
      this.#client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle })),
    );
  }

  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }

  async #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toAwsServiceError('SQS', operation, error);
    }
  }
}
