import { parseCheckpoint } from '../../core/checkpoint.js';
import type { Checkpoint } from '../../core/ports/checkpoint-store.js';

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
 * Turns a stored row into a Checkpoint through core's one check (core/checkpoint.ts), or throws
 * CorruptCheckpointError naming the stream. The row only maps onto the port's shape: the three
 * sweep columns are a sweep when any is set, recent_ids is JSON text (text that is not JSON is
 * passed on as it is, and fails as "not a list of ids").
 */
export function checkpointFromRow(row: CheckpointRow): Checkpoint {
  const sweep =
    row.sweep_newest_id == null && row.sweep_until_id == null && row.sweep_next_token == null
      ? null
      : { newestId: row.sweep_newest_id, untilId: row.sweep_until_id, nextToken: row.sweep_next_token };
  return parseCheckpoint(
    {
      stream: row.stream,
      schemaVersion: row.schema_version,
      sinceId: row.since_id,
      sweep,
      userId: row.user_id,
      recentIds: parseJson(row.recent_ids),
      fairLag: row.fair_lag,
      updatedAt: row.updated_at,
      writer: row.writer,
    },
    row.stream,
  );
}

/** The flat row of a checkpoint; validates it on the way in so that nothing corrupt is ever written. */
export function checkpointToRow(checkpoint: Checkpoint): CheckpointRow {
  const row: CheckpointRow = {
    stream: checkpoint.stream,
    since_id: checkpoint.sinceId,
    sweep_newest_id: checkpoint.sweep?.newestId ?? null,
    sweep_until_id: checkpoint.sweep?.untilId ?? null,
    sweep_next_token: checkpoint.sweep?.nextToken ?? null,
    user_id: checkpoint.userId ?? null,
    recent_ids: checkpoint.recentIds === undefined ? null : JSON.stringify(checkpoint.recentIds),
    fair_lag: checkpoint.fairLag ?? null,
    schema_version: checkpoint.schemaVersion,
    updated_at: checkpoint.updatedAt,
    writer: checkpoint.writer,
  };
  checkpointFromRow(row);
  return row;
}

/** JSON text parsed; anything else (or text that is not JSON) as it is. */
function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
