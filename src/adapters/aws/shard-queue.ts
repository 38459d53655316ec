/**
 * The fan-out queue on SQS: the planner sends one message per shard (SendMessageBatch, 10 a call,
 * failed entries sent again, bounded); a worker outside Lambda receives, and deletes a shard once
 * it is done. Inside Lambda the event source mapping receives and deletes (ReportBatchItemFailures).
 */
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { ShardMessage } from '../../core/fleet.js';
import { toAwsServiceError } from './errors.js';

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
  readonly #maxRounds: number;

  constructor(options: SqsShardQueueOptions) {
    this.queueUrl = options.queueUrl;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new SQSClient({});
    this.#maxRounds = options.maxRounds ?? 5;
  }

  /** Sends every shard; throws when some could still not be sent after the bounded rounds. */
  async send(shards: readonly ShardMessage[]): Promise<void> {
    for (let i = 0; i < shards.length; i += 10) {
      let pending = shards
        .slice(i, i + 10)
        .map((s) => ({ Id: String(s.shard), MessageBody: JSON.stringify(s) }));
      for (let round = 1; pending.length > 0; round++) {
        if (round > this.#maxRounds) {
          throw new Error(
            `SQS refused shards ${pending.map((p) => p.Id).join(', ')} after ${this.#maxRounds} rounds`,
          );
        }
        const out = await this.#call('SendMessageBatch', () =>
          this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending })),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((p) => failed.has(p.Id));
      }
    }
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
