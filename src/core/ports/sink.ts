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
 * Where posts go. `write` resolves only once the batch is durably accepted (fsynced, acknowledged by
 * SQS or Lambda): the checkpoint moves after that and never before.
 */
export interface Sink {
  write(batch: Batch, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
