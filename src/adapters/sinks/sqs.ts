/**
 * Delivers posts to an SQS queue with SendMessageBatch: one message per post, so that a FIFO queue
 * can deduplicate on the post id. Each message body is a Batch holding that one post (same schema as
 * the Lambda sink, docs/batch.schema.json; batch_id `<batch_id>#<post id>`). Entries are grouped by at
 * most 10 and `maxRequestBytes` per call; entries reported in `Failed` are retried alone, bounded;
 * `write` resolves only when every entry is in `Successful`, else throws SinkError (the checkpoint
 * must not move).
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { trimIncludes } from '../../core/batching.js';
import { SinkError } from '../../core/errors.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { jsonBytes } from '../aws/batch-split.js';
import { awsErrorName, isRetryableAwsError } from '../aws/errors.js';
import { type BackoffOptions, backoffDelayMs, sleep } from '../aws/retry-delay.js';
import { SerialWrites } from '../aws/serial-writes.js';

/** SQS actions this sink sends (SendMessageBatch is authorised by `sqs:SendMessage`). */
export const SQS_SINK_ACTIONS = ['SendMessage'] as const;
/** SDK commands this sink sends. */
export const SQS_SINK_COMMANDS = ['SendMessageBatch'] as const;

/** SQS's per-call entry limit. */
export const SQS_MAX_ENTRIES = 10;
/** The message and request size limit this sink assumes by default (256 KiB). */
export const DEFAULT_SQS_MAX_BYTES = 262_144;

export interface SqsSinkOptions extends BackoffOptions {
  readonly queueUrl: string;
  /** @default a new SQSClient from the SDK's standard environment */
  readonly client?: SQSClient;
  /** Largest total of message bodies in one SendMessageBatch (and so of one message). @default 262144 */
  readonly maxRequestBytes?: number;
}

interface Message {
  readonly id: string;
  readonly entry: SendMessageBatchRequestEntry;
  readonly bytes: number;
}

export class SqsSink implements Sink {
  readonly queueUrl: string;
  readonly fifo: boolean;
  readonly #client: SQSClient;
  readonly #ownsClient: boolean;
  readonly #maxBytes: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #writes = new SerialWrites('sqs');

  constructor(options: SqsSinkOptions) {
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new SQSClient({});
    this.#maxBytes = options.maxRequestBytes ?? DEFAULT_SQS_MAX_BYTES;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#baseDelayMs = options.baseDelayMs ?? 200;
    this.#maxDelayMs = options.maxDelayMs ?? 5_000;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Writes run in call order (one message per post); resolves once SQS accepted every entry. */
  write(batch: Batch, signal?: AbortSignal): Promise<void> {
    return this.#writes.run(() => this.#deliver(batch, signal));
  }

  /** A message SQS accepted is stored: nothing left to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if ((await this.#writes.close()) && this.#ownsClient) this.#client.destroy();
  }

  async #deliver(batch: Batch, signal: AbortSignal | undefined): Promise<void> {
    let pending = batch.tweets.map((tweet, i) => this.#message(batch, tweet, i));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1)
        await this.#sleep(backoffDelayMs(attempt, this.#baseDelayMs, this.#maxDelayMs), signal);
      const failed: Message[] = [];
      const reasons: string[] = [];
      for (const chunk of this.#chunks(pending)) {
        const result = await this.#send(chunk, signal);
        for (const f of result.Failed ?? []) {
          const message = chunk.find((m) => m.id === f.Id);
          if (message === undefined) continue;
          if (f.SenderFault === true) {
            throw new SinkError(
              `SQS refused post message ${f.Id} of batch ${batch.batch_id}: ${f.Code}`,
              false,
            );
          }
          failed.push(message);
          reasons.push(f.Code ?? 'unknown');
        }
        const acked = new Set((result.Successful ?? []).map((s) => s.Id));
        for (const m of chunk) if (!acked.has(m.id) && !failed.includes(m)) failed.push(m);
      }
      if (failed.length > 0 && attempt >= this.#maxAttempts) {
        throw new SinkError(
          `SQS did not accept ${failed.length} message(s) of batch ${batch.batch_id} after ${attempt} attempts (${[...new Set(reasons)].join(', ')})`,
          true,
        );
      }
      pending = failed;
    }
  }

  #message(batch: Batch, tweet: Batch['tweets'][number], index: number): Message {
    const includes = trimIncludes(batch.includes, [tweet]);
    const body: Batch = {
      version: batch.version,
      stream: batch.stream,
      batch_id: `${batch.batch_id}#${tweet.id}`,
      correlation_id: batch.correlation_id,
      tweets: [tweet],
      ...(includes === undefined ? {} : { includes }),
    };
    const bytes = jsonBytes(body);
    if (bytes > this.#maxBytes) {
      throw new SinkError(`post ${tweet.id} exceeds the ${this.#maxBytes}-byte SQS message limit`, false);
    }
    const id = `m${index}`;
    const entry: SendMessageBatchRequestEntry = {
      Id: id,
      MessageBody: JSON.stringify(body),
      ...(this.fifo ? { MessageGroupId: batch.stream, MessageDeduplicationId: tweet.id } : {}),
    };
    return { id, entry, bytes };
  }

  /** Groups of at most 10 entries and `maxBytes` of bodies, order kept. */
  *#chunks(messages: readonly Message[]): Generator<Message[]> {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const m of messages) {
      if (chunk.length === SQS_MAX_ENTRIES || (chunk.length > 0 && bytes + m.bytes > this.#maxBytes)) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += m.bytes;
    }
    if (chunk.length > 0) yield chunk;
  }

  async #send(chunk: readonly Message[], signal: AbortSignal | undefined) {
    try {
      return await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: chunk.map((m) => m.entry) }),
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (error) {
      throw new SinkError(
        `SendMessageBatch to ${this.queueUrl} failed: ${awsErrorName(error)}`,
        isRetryableAwsError(error),
        {
          cause: error,
        },
      );
    }
  }
}
