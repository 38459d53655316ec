/** Small builders for checkpoints in the AWS tests. */
import type { Checkpoint, Sweep } from '../../../src/core/ports/checkpoint-store.js';

let writes = 0;

/** A checkpoint of `stream` with `since_id`, a fresh writer/updated_at and an optional sweep. */
export function checkpoint(
  stream: string,
  sinceId: string,
  extra: { sweep?: Sweep | null; userId?: string; writer?: string } = {},
): Checkpoint {
  writes += 1;
  return {
    stream,
    schemaVersion: 2,
    sinceId,
    sweep: extra.sweep ?? null,
    ...(extra.userId === undefined ? {} : { userId: extra.userId }),
    updatedAt: new Date(1_800_000_000_000 + writes).toISOString(),
    writer: extra.writer ?? `writer-${writes}`,
  };
}
