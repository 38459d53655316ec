import { CorruptCheckpointError } from '../../core/errors.js';
import { compareIds, isValidId } from '../../core/ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../core/ports/checkpoint-store.js';

/** A checkpoint as stored in flat columns (SQLite); every id is TEXT. */
export interface CheckpointRow {
  readonly stream: string;
  readonly since_id: unknown;
  readonly sweep_newest_id: unknown;
  readonly sweep_until_id: unknown;
  readonly sweep_next_token: unknown;
  readonly user_id: unknown;
  /** JSON array of ids, or null. */
  readonly recent_ids: unknown;
  /** The fair-share lag (REAL), or null for 0. Absent in rows read before the column existed. */
  readonly fair_lag?: unknown;
  readonly schema_version: unknown;
  readonly updated_at: unknown;
  readonly writer: unknown;
}

/**
 * Turns a stored row into a Checkpoint, or throws CorruptCheckpointError naming the stream: ids that
 * are not ids, a sweep whose bounds are inverted, or a schema version this code does not know.
 */
export function checkpointFromRow(row: CheckpointRow): Checkpoint {
  const corrupt = (why: string) =>
    new CorruptCheckpointError(`checkpoint of stream "${row.stream}" ${why}`, row.stream);
  if (row.schema_version !== CHECKPOINT_SCHEMA_VERSION) {
    throw corrupt(
      `has unknown schema_version ${String(row.schema_version)} (this version reads ${CHECKPOINT_SCHEMA_VERSION})`,
    );
  }
  if (!isValidId(row.since_id))
    throw corrupt(`has a since_id that is not a post id: ${JSON.stringify(row.since_id)}`);
  const newest = row.sweep_newest_id ?? null;
  const until = row.sweep_until_id ?? null;
  if (newest === null && (until !== null || row.sweep_next_token != null))
    throw corrupt('has sweep fields without sweep_newest_id');
  if (newest !== null && !isValidId(newest))
    throw corrupt(`has a sweep_newest_id that is not a post id: ${JSON.stringify(newest)}`);
  if (until !== null && !isValidId(until))
    throw corrupt(`has a sweep_until_id that is not a post id: ${JSON.stringify(until)}`);
  if (newest !== null && compareIds(row.since_id, newest) > 0)
    throw corrupt('has since_id above sweep_newest_id');
  if (newest !== null && until !== null && compareIds(until, newest) > 0)
    throw corrupt('has sweep_until_id above sweep_newest_id');
  if (row.user_id != null && !isValidId(row.user_id))
    throw corrupt(`has a user_id that is not an id: ${JSON.stringify(row.user_id)}`);
  if (typeof row.updated_at !== 'string' || typeof row.writer !== 'string')
    throw corrupt('lacks updated_at or writer');
  const recent = parseRecentIds(row.recent_ids);
  if (recent === 'invalid') throw corrupt('has recent_ids that are not a JSON list of post ids');
  const lag = row.fair_lag ?? null;
  if (lag !== null && !(typeof lag === 'number' && Number.isFinite(lag)))
    throw corrupt(`has a fair_lag that is not a finite number: ${JSON.stringify(lag)}`);
  return {
    stream: row.stream,
    schema_version: CHECKPOINT_SCHEMA_VERSION,
    since_id: row.since_id,
    sweep:
      newest === null
        ? null
        : {
            newest_id: newest,
            until_id: until,
            next_token: typeof row.sweep_next_token === 'string' ? row.sweep_next_token : null,
          },
    ...(typeof row.user_id === 'string' ? { user_id: row.user_id } : {}),
    ...(recent === null ? {} : { recent_ids: recent }),
    ...(lag === null ? {} : { fair_lag: lag }),
    updated_at: row.updated_at,
    writer: row.writer,
  };
}

/** The flat row of a checkpoint; validates it on the way in so that nothing corrupt is ever written. */
export function checkpointToRow(checkpoint: Checkpoint): CheckpointRow {
  const row: CheckpointRow = {
    stream: checkpoint.stream,
    since_id: checkpoint.since_id,
    sweep_newest_id: checkpoint.sweep?.newest_id ?? null,
    sweep_until_id: checkpoint.sweep?.until_id ?? null,
    sweep_next_token: checkpoint.sweep?.next_token ?? null,
    user_id: checkpoint.user_id ?? null,
    recent_ids: checkpoint.recent_ids === undefined ? null : JSON.stringify(checkpoint.recent_ids),
    fair_lag: checkpoint.fair_lag ?? null,
    schema_version: checkpoint.schema_version,
    updated_at: checkpoint.updated_at,
    writer: checkpoint.writer,
  };
  checkpointFromRow(row);
  return row;
}

function parseRecentIds(raw: unknown): string[] | null | 'invalid' {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return 'invalid';
  try {
    const list: unknown = JSON.parse(raw);
    return Array.isArray(list) && list.every(isValidId) ? list : 'invalid';
  } catch {
    return 'invalid';
  }
}
