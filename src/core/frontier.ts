/**
 * The checkpoint frontier as pure transitions (docs/architecture.md, "The frontier").
 *
 *   ids: low ───────────────────────────────────────────────────────────────▶ high
 *        ██████ since_id ░░░░░░ owed ░░░░░░ until_id ██ delivered ██ newest_id   (unseen)
 *
 *   no sweep          ──first page with posts──▶  sweep{newest_id, until_id: null}
 *   sweep             ──batch acknowledged─────▶  sweep{until_id: lowest id of the batch}
 *   sweep, last page  ──last batch acknowledged─▶  since_id := newest_id, sweep := null
 *
 * since_id only ever moves to a sweep's newest_id, and only once the whole sweep is delivered.
 */
import { compareIds, maxId } from './ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from './ports/checkpoint-store.js';

/** Who writes, and when: stamped on every new checkpoint. */
export interface WriteStamp {
  readonly nowMs: number;
  readonly writer: string;
}

function stamp(cp: Omit<Checkpoint, 'updatedAt' | 'writer'>, at: WriteStamp): Checkpoint {
  return { ...cp, updatedAt: new Date(at.nowMs).toISOString(), writer: at.writer };
}

/** The id one above `id`: the exclusive until_id that still includes `id`. */
export function nextId(id: string): string {
  return (BigInt(id) + 1n).toString();
}

/** The first checkpoint of a stream. */
export function initialCheckpoint(
  stream: string,
  sinceId: string,
  at: WriteStamp,
  userId?: string,
): Checkpoint {
  return stamp(
    {
      stream,
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId,
      sweep: null,
      ...(userId === undefined ? {} : { userId }),
    },
    at,
  );
}

/** The bounds of the next request: (since_id, until_id), until_id undefined for a fresh sweep. */
export interface SweepBounds {
  readonly sinceId: string;
  readonly untilId: string | undefined;
}

/**
 * A pending sweep resumes below its until_id (or just above its newest_id when no batch was delivered:
 * nothing newer belongs to that sweep). No sweep: a new one starts from since_id with no upper bound.
 */
export function sweepBounds(cp: Checkpoint): SweepBounds {
  if (cp.sweep === null) return { sinceId: cp.sinceId, untilId: undefined };
  return { sinceId: cp.sinceId, untilId: cp.sweep.untilId ?? nextId(cp.sweep.newestId) };
}

/** A new sweep whose first page's newest id is `newestId` (callers start one only above since_id). */
export function startSweep(cp: Checkpoint, newestId: string): Checkpoint {
  return { ...cp, sweep: { newestId: maxId(newestId, cp.sinceId), untilId: null, nextToken: null } };
}

/**
 * After the sink made durable the posts of a page (or of its first batches) whose lowest id is
 * `lowestId`. `sweepDone` (the whole last page) completes the sweep. `nextToken` is the token after the
 * last fully delivered page.
 */
export function afterBatch(
  cp: Checkpoint,
  lowestId: string,
  nextToken: string | null,
  sweepDone: boolean,
  at: WriteStamp,
): Checkpoint {
  const sweep = cp.sweep;
  if (sweep === null) throw new Error('afterBatch called without a sweep in progress');
  if (sweepDone) return completeSweep(cp, at);
  // An overlap re-read delivers ids at or below since_id: everything above since_id is then delivered,
  // which until_id = since_id + 1 says without inverting the bounds (a sweep's newest_id is always
  // above since_id, so this never passes newest_id).
  const floor = nextId(cp.sinceId);
  const untilId = compareIds(lowestId, floor) < 0 ? floor : lowestId;
  const kept = sweep.untilId !== null && compareIds(sweep.untilId, untilId) < 0 ? sweep.untilId : untilId;
  return stamp({ ...cp, sweep: { ...sweep, untilId: kept, nextToken } }, at);
}

/** The sweep ran out of pages: everything up to its newest id is delivered. */
export function completeSweep(cp: Checkpoint, at: WriteStamp): Checkpoint {
  if (cp.sweep === null) return cp;
  return stamp({ ...cp, sinceId: maxId(cp.sinceId, cp.sweep.newestId), sweep: null }, at);
}
