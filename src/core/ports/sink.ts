import type { Includes, Tweet } from './x-api.js';

/** One delivery unit: at most `batch_size` posts of one stream, in the order the API returned them. */
export interface Batch {
  /** Payload schema version (docs/batch.schema.json). */
  readonly version: 1;
  readonly stream: string;
  /** Deterministic per stream and content, so a redelivered batch can be deduplicated downstream. */
  readonly batch_id: string;
  readonly correlation_id: string;
  readonly tweets: readonly Tweet[];
  /** The expansions (`includes`) of the page(s) these posts came from, trimmed to what they reference. */
  readonly includes?: Includes;
}

/**
 * Where posts go. `write` resolves once the sink has the batch (appended to the file, acknowledged by
 * SQS or Lambda); `flush` resolves once everything written so far is durable (fsynced). The poller
 * writes a page's batches in order, flushes, and only then moves the checkpoint past them: one fsync
 * and one checkpoint write per page, never a checkpoint ahead of what the sink holds.
 */
export interface Sink {
  /** Delivers one batch; calls made without awaiting the previous one land in call order. */
  write(batch: Batch, signal?: AbortSignal): Promise<void>;
  /** Makes every batch written so far durable. A sink whose writes are durable when acknowledged resolves at once. */
  flush(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
