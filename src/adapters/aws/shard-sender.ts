/**
 * The planner's side of the shard queue: SendMessageBatch only (10 a call, failed entries sent
 * again, bounded). Kept apart from SqsShardQueue's receive/delete so the Lambda bundle, where the
 * event source receives, carries no more of the SQS client than the sink already does.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ShardMessage } from '../../core/fleet.js';
import { toAwsServiceError } from './errors.js';

/** Options of {@link SqsShardSender}. */
export interface SqsShardSenderOptions {
  readonly queueUrl: string;
  /** @default a new SQSClient from the SDK's standard environment */
  readonly client?: SQSClient;
  /** Rounds of re-sending entries SQS reported as failed. @default 5 */
  readonly maxRounds?: number;
}

/** Sends shard messages to one SQS queue. */
export class SqsShardSender {
  readonly queueUrl: string;
  readonly #client: SQSClient;
  readonly #ownsClient: boolean;
  readonly #maxRounds: number;

  constructor(options: SqsShardSenderOptions) {
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
        let out: { readonly Failed?: readonly { readonly Id?: string | undefined }[] | undefined };
        try {
          out = await this.#client.send(
            new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
          );
        } catch (error) {
          throw toAwsServiceError('SQS', 'SendMessageBatch', error);
        }
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((p) => failed.has(p.Id));
      }
    }
  }

  close(): void {
    if (this.#ownsClient) this.#client.destroy();
  }
}
