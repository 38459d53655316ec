/**
 * The one check of a stored checkpoint. Every store (SQLite, DynamoDB, memory) maps its storage
 * format onto the port's shape and hands it to {@link parseCheckpoint}; anything that cannot be
 * trusted is a CorruptCheckpointError naming the stream and the rule, never a silent reset (the CLI
 * has an explicit reset path). The rules, in the order they are checked (docs/architecture.md,
 * "Checkpoint stores"):
 *
 *   1  an object (or a legacy bare since_id string, migrated without a sweep)
 *   2  schema_version is CHECKPOINT_SCHEMA_VERSION
 *   3  it belongs to the stream it was read for
 *   4  since_id is an id (decimal string, 1 .. 2^63-1)
 *   5  sweep is absent or an object with an id newest_id (sweep fields without it are corrupt)
 *   6  sweep.newest_id >= since_id
 *   7  sweep.until_id, when present, is an id, > since_id and <= sweep.newest_id
 *   8  sweep.next_token, when present, is a string
 *   9  user_id, when present, is an id
 *  10  recent_ids, when present, is a list of ids
 *  11  fair_lag, when present, is a finite number
 *  12  updated_at and writer are present, as strings
 *
 * "Absent" is `undefined` or `null` (a NULL column, a missing attribute).
 */
import { CorruptCheckpointError } from './errors.js';
import { compareIds, isValidId } from './ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint, type Sweep } from './ports/checkpoint-store.js';

/** Writer recorded on a checkpoint migrated from a legacy bare since_id. */
export const LEGACY_MIGRATION_WRITER = 'legacy-migration';

function fail(stream: string, why: string): never {
  throw new CorruptCheckpointError(`checkpoint of stream "${stream}" is corrupt: ${why}`, stream);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Rule 2, on its own: stores that branch on the version before anything else (DynamoDB's adoption) call it first. */
export function checkSchemaVersion(value: unknown, stream: string): void {
  if (absent(value)) fail(stream, 'schema_version is missing');
  if (value !== CHECKPOINT_SCHEMA_VERSION) fail(stream, `unknown schema_version ${JSON.stringify(value)}`);
}

function parseSweep(raw: unknown, stream: string, sinceId: string): Sweep | null {
  if (absent(raw)) return null;
  if (!isRecord(raw)) fail(stream, 'sweep is not an object');
  const { newestId, untilId, nextToken } = raw;
  if (!isValidId(newestId)) fail(stream, 'sweep.newest_id is not a valid id');
  if (compareIds(newestId, sinceId) < 0) fail(stream, 'sweep.newest_id is below since_id');
  if (!absent(untilId)) {
    if (!isValidId(untilId)) fail(stream, 'sweep.until_id is not a valid id');
    // Owed is (since_id, until_id): until_id sits above since_id and at most at newest_id.
    if (compareIds(untilId, sinceId) <= 0) fail(stream, 'sweep.until_id is not above since_id');
    if (compareIds(untilId, newestId) > 0) fail(stream, 'sweep.until_id is above sweep.newest_id');
  }
  if (!absent(nextToken) && typeof nextToken !== 'string') fail(stream, 'sweep.next_token is not a string');
  return {
    newestId,
    untilId: absent(untilId) ? null : untilId,
    nextToken: typeof nextToken === 'string' ? nextToken : null,
  };
}

/**
 * Turns what a store read, mapped onto the port's field names, into a trusted Checkpoint (rules
 * 1-12 above). A bare string is the legacy item: a since_id, migrated with no sweep, written by
 * {@link LEGACY_MIGRATION_WRITER} at the epoch. Throws CorruptCheckpointError otherwise.
 */
export function parseCheckpoint(raw: unknown, stream: string): Checkpoint {
  if (typeof raw === 'string') {
    if (!isValidId(raw)) fail(stream, 'legacy since_id is not a valid id');
    return {
      stream,
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId: raw,
      sweep: null,
      updatedAt: new Date(0).toISOString(),
      writer: LEGACY_MIGRATION_WRITER,
    };
  }
  if (!isRecord(raw)) fail(stream, 'not an object');
  checkSchemaVersion(raw.schemaVersion, stream);
  if (raw.stream !== stream) fail(stream, `belongs to stream ${JSON.stringify(raw.stream)}`);
  const sinceId = raw.sinceId;
  if (!isValidId(sinceId)) fail(stream, 'since_id is not a valid id');
  const sweep = parseSweep(raw.sweep, stream, sinceId);
  const { userId, recentIds, fairLag, updatedAt, writer } = raw;
  if (!absent(userId) && !isValidId(userId)) fail(stream, 'user_id is not a valid id');
  if (!absent(recentIds) && !(Array.isArray(recentIds) && recentIds.every(isValidId))) {
    fail(stream, 'recent_ids is not a list of ids');
  }
  if (!absent(fairLag) && !(typeof fairLag === 'number' && Number.isFinite(fairLag))) {
    fail(stream, 'fair_lag is not a finite number');
  }
  if (typeof updatedAt !== 'string') fail(stream, 'updated_at is missing or not a string');
  if (typeof writer !== 'string') fail(stream, 'writer is missing or not a string');
  return {
    stream,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    sinceId,
    sweep,
    ...(absent(userId) ? {} : { userId }),
    ...(Array.isArray(recentIds) ? { recentIds: [...recentIds] as string[] } : {}),
    ...(typeof fairLag === 'number' ? { fairLag } : {}),
    updatedAt,
    writer,
  };
}
