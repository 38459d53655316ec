/**
 * Delivers posts to an SQS queue with SendMessageBatch: one message per post, so that a FIFO queue
 * can deduplicate on the post id. Each message body is a Batch holding that one post (same schema as
 * the Lambda sink, docs/batch.schema.json; batch_id `<batch_id>#<post id>`). Entries are grouped by at
 * most 10 and `maxRequestBytes` per call. `write` resolves only when every entry is in `Successful` or
 * dead-lettered, else throws SinkError (the checkpoint must not move). Group ids and bodies are mapped
 * into what SQS accepts (sqs-limits.ts).
 *
 * The sink does not retry on its own: core's retry policy (src/core/retry.ts) calls `write` again. When
 * some entries of a batch were accepted and others reported in `Failed` (or a call failed whole), the
 * write throws a retryable SinkError and remembers which entries are still unsent; the next `write` of
 * the same batch (same `batch_id`, so the same content) sends only those. A partial-failure resend thus
 * counts against the same attempts as any other retry, and the accepted entries are not sent twice.
 *
 * A post SQS refuses for good (a poison post) would otherwise fail every run at the same place. Two
 * refusals count as "for good", because sending the same post again can only be refused again:
 * - the post's message alone is larger than `maxRequestBytes`;
 * - SQS reports the entry `Failed` with `SenderFault` and code `InvalidMessageContents`.
 * Such a post goes to the dead-letter queue (a message naming the stream, batch, post id and reason,
 * with the post itself when it fits), `onDeadLetter` reports it (an `error` event and the
 * `DeadLetteredPosts` metric), and the stream moves on. If the dead-letter queue cannot take it, the
 * write fails as before (retryable): nothing is dropped silently. Every other sender fault (access,
 * a bad queue attribute) is the configuration's, not the post's: the write fails, not retried.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { trimIncludes } from '../../core/batching.js';
import { SinkError } from '../../core/errors.js';
import { LogEvent, type Logger, MetricName, type Metrics } from '../../core/ports/observability.js';
import type { Batch, Sink } from '../../core/ports/sink.js';
import { awsErrorName, isRetryableAwsError } from '../aws/errors.js';
import { SerialWrites } from '../aws/serial-writes.js';
import { fifoGroupId, sqsSafeJson } from './sqs-limits.js';

/** SQS actions this sink sends (SendMessageBatch is authorised by `sqs:SendMessage`). */
export const SQS_SINK_ACTIONS = ['SendMessage'] as const;
/** SDK commands this sink sends. */
export const SQS_SINK_COMMANDS = ['SendMessageBatch'] as const;

/** SQS's per-call entry limit. */
export const SQS_MAX_ENTRIES = 10;
/** The message and request size limit this sink assumes by default (256 KiB). */
export const DEFAULT_SQS_MAX_BYTES = 262_144;

export interface SqsSinkOptions {
  readonly queueUrl: string;
  /** @default a new SQSClient from the SDK's standard environment */
  readonly client?: SQSClient;
  /** Largest total of message bodies in one SendMessageBatch (and so of one message). @default 262144 */
  readonly maxRequestBytes?: number;
  /**
   * Where poison posts go. @default the queue's URL with `-dead-letter` before the name's end
   * (`.../posts.fifo` → `.../posts-dead-letter.fifo`); the queue must exist for a poison post to pass.
   */
  readonly deadLetterQueueUrl?: string;
  /** Called after a poison post was dead-lettered (the composition logs and counts it). @default none */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
}

/** A post set aside in the dead-letter queue. */
export interface DeadLetter {
  readonly stream: string;
  readonly batch_id: string;
  readonly post_id: string;
  /** `too_large` or SQS's code (`InvalidMessageContents`). */
  readonly reason: string;
  readonly dead_letter_queue: string;
}

/** Reports a dead-lettered post as an `error` event (code `dead_letter`) and the DeadLetteredPosts metric. */
export function reportDeadLetter(logger: Logger, metrics: Metrics): (letter: DeadLetter) => void {
  return (letter) => {
    logger.log('error', LogEvent.error, {
      code: 'dead_letter',
      retryable: false,
      message: `post ${letter.post_id} was refused for good by SQS (${letter.reason}) and set aside in ${letter.dead_letter_queue}`,
      ...letter,
    });
    metrics.add(MetricName.deadLetteredPosts, 1, 'Count');
  };
}

/** The default dead-letter queue of a queue URL. */
export function defaultDeadLetterQueueUrl(queueUrl: string): string {
  return queueUrl.endsWith('.fifo')
    ? `${queueUrl.slice(0, -'.fifo'.length)}-dead-letter.fifo`
    : `${queueUrl}-dead-letter`;
}

interface Message {
  readonly id: string;
  readonly entry: SendMessageBatchRequestEntry;
  readonly bytes: number;
  readonly postId: string;
}

export class SqsSink implements Sink {
  readonly queueUrl: string;
  readonly fifo: boolean;
  readonly #client: SQSClient;
  readonly #ownsClient: boolean;
  readonly #maxBytes: number;
  readonly #writes = new SerialWrites('sqs');
  readonly #deadLetterQueueUrl: string;
  readonly #onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  /** The entries of the last write that SQS has not accepted yet, for the retry of that same batch. */
  #unsent: { readonly batchId: string; readonly ids: ReadonlySet<string> } | undefined;

  constructor(options: SqsSinkOptions) {
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? new SQSClient({});
    this.#maxBytes = options.maxRequestBytes ?? DEFAULT_SQS_MAX_BYTES;
    this.#deadLetterQueueUrl = options.deadLetterQueueUrl ?? defaultDeadLetterQueueUrl(options.queueUrl);
    this.#onDeadLetter = options.onDeadLetter;
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
    // A retry of the same batch sends only what SQS has not accepted yet.
    const resume = this.#unsent?.batchId === batch.batch_id ? this.#unsent.ids : undefined;
    this.#unsent = undefined;
    const pending: Message[] = [];
    for (const [i, tweet] of batch.tweets.entries()) {
      const message = this.#message(batch, tweet, i);
      if (resume !== undefined && !resume.has(message.id)) continue;
      if (message.bytes > this.#maxBytes) await this.#deadLetter(batch, message, 'too_large', signal);
      else pending.push(message);
    }
    const failed: Message[] = [];
    const reasons: string[] = [];
    const chunks = [...this.#chunks(pending)];
    for (const [c, chunk] of chunks.entries()) {
      let result: SendMessageBatchCommandOutput;
      try {
        result = await this.#send(chunk, signal);
      } catch (error) {
        this.#remember(batch, [...failed, ...chunks.slice(c).flat()]);
        throw error;
      }
      for (const f of result.Failed ?? []) {
        const message = chunk.find((m) => m.id === f.Id);
        if (message === undefined) continue;
        if (f.SenderFault === true && f.Code === 'InvalidMessageContents') {
          await this.#deadLetter(batch, message, f.Code, signal);
          continue;
        }
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
      for (const f of result.Failed ?? []) if (f.SenderFault === true) acked.add(f.Id); // dead-lettered above
      for (const m of chunk) if (!acked.has(m.id) && !failed.includes(m)) failed.push(m);
    }
    if (failed.length > 0) {
      this.#remember(batch, failed);
      throw new SinkError(
        `SQS did not accept ${failed.length} message(s) of batch ${batch.batch_id} (${[...new Set(reasons)].join(', ') || 'no answer'}); the retry sends only those`,
        true,
      );
    }
  }

  #remember(batch: Batch, unsent: readonly Message[]): void {
    this.#unsent = { batchId: batch.batch_id, ids: new Set(unsent.map((m) => m.id)) };
  }

  /** Sets a poison post aside in the dead-letter queue, then reports it; throws if that queue refuses. */
  async #deadLetter(
    batch: Batch,
    message: Message,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const letter: DeadLetter = {
      stream: batch.stream,
      batch_id: batch.batch_id,
      post_id: message.postId,
      reason,
      dead_letter_queue: this.#deadLetterQueueUrl,
    };
    const envelope = { version: 1, kind: 'dead_letter', ...letter, correlation_id: batch.correlation_id };
    const withPost = sqsSafeJson({ ...envelope, message: message.entry.MessageBody });
    const body = Buffer.byteLength(withPost) <= this.#maxBytes ? withPost : sqsSafeJson(envelope);
    const entry: SendMessageBatchRequestEntry = {
      Id: 'dead0',
      MessageBody: body,
      ...(this.fifo
        ? { MessageGroupId: fifoGroupId(batch.stream), MessageDeduplicationId: message.postId }
        : {}),
    };
    let result: SendMessageBatchCommandOutput;
    try {
      result = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#deadLetterQueueUrl, Entries: [entry] }),
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (error) {
      throw new SinkError(
        `post ${message.postId} of stream "${batch.stream}" was refused for good (${reason}) and the dead-letter queue ${this.#deadLetterQueueUrl} did not take it: ${awsErrorName(error)}`,
        true,
        { cause: error },
      );
    }
    const failed = result.Failed?.[0];
    if (failed !== undefined) {
      throw new SinkError(
        `post ${message.postId} of stream "${batch.stream}" was refused for good (${reason}) and the dead-letter queue ${this.#deadLetterQueueUrl} refused it too: ${failed.Code ?? 'unknown'}`,
        true,
      );
    }
    this.#onDeadLetter?.(letter);
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
    const text = sqsSafeJson(body);
    const bytes = Buffer.byteLength(text);
    const id = `m${index}`;
    const entry: SendMessageBatchRequestEntry = {
      Id: id,
      MessageBody: text,
      ...(this.fifo ? { MessageGroupId: fifoGroupId(batch.stream), MessageDeduplicationId: tweet.id } : {}),
    };
    return { id, entry, bytes, postId: tweet.id };
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
