/**
 * Validation of stored checkpoints, shared by every store adapter: anything that cannot be trusted is a
 * CorruptCheckpointError naming the stream, never a silent reset (the CLI has an explicit reset path).
 */
import { CorruptCheckpointError } from './errors.js';
import { compareIds, isValidId } from './ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint, type Sweep } from './ports/checkpoint-store.js';

function fail(stream: string, why: string): never {
  throw new CorruptCheckpointError(`checkpoint of stream "${stream}" is corrupt: ${why}`, stream);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseSweep(raw: unknown, stream: string, sinceId: string): Sweep | null {
  if (raw === null || raw === undefined) return null;
  if (!isRecord(raw)) fail(stream, 'sweep is not an object');
  const { newest_id, until_id, next_token } = raw;
  if (!isValidId(newest_id)) fail(stream, 'sweep.newest_id is not a valid id');
  if (compareIds(newest_id, sinceId) < 0) fail(stream, 'sweep.newest_id is below since_id');
  if (until_id !== null && until_id !== undefined) {
    if (!isValidId(until_id)) fail(stream, 'sweep.until_id is not a valid id');
    // Owed is (since_id, until_id): until_id sits above since_id and at most at newest_id.
    if (compareIds(until_id, sinceId) <= 0) fail(stream, 'sweep.until_id is not above since_id');
    if (compareIds(until_id, newest_id) > 0) fail(stream, 'sweep.until_id is above sweep.newest_id');
  }
  if (next_token !== null && next_token !== undefined && typeof next_token !== 'string') {
    fail(stream, 'sweep.next_token is not a string');
  }
  return {
    newest_id,
    until_id: typeof until_id === 'string' ? until_id : null,
    next_token: typeof next_token === 'string' ? next_token : null,
  };
}

/**
 * Turns what a store read into a trusted Checkpoint. Accepts the legacy item, a bare since_id string,
 * by migrating it (no sweep). Throws CorruptCheckpointError otherwise.
 */
export function parseCheckpoint(raw: unknown, stream: string): Checkpoint {
  if (typeof raw === 'string') {
    if (!isValidId(raw)) fail(stream, 'legacy since_id is not a valid id');
    return {
      stream,
      schema_version: CHECKPOINT_SCHEMA_VERSION,
      since_id: raw,
      sweep: null,
      updated_at: new Date(0).toISOString(),
      writer: 'legacy-migration',
    };
  }
  if (!isRecord(raw)) fail(stream, 'not an object');
  if (raw.schema_version !== CHECKPOINT_SCHEMA_VERSION) {
    fail(stream, `unknown schema_version ${JSON.stringify(raw.schema_version)}`);
  }
  if (raw.stream !== stream) fail(stream, `belongs to stream ${JSON.stringify(raw.stream)}`);
  const sinceId = raw.since_id;
  if (!isValidId(sinceId)) fail(stream, 'since_id is not a valid id');
  const sweep = parseSweep(raw.sweep, stream, sinceId);
  if (raw.user_id !== undefined && !isValidId(raw.user_id)) fail(stream, 'user_id is not a valid id');
  const recent = raw.recent_ids;
  if (recent !== undefined && !(Array.isArray(recent) && recent.every(isValidId))) {
    fail(stream, 'recent_ids is not a list of ids');
  }
  const lag = raw.fair_lag;
  if (lag !== undefined && !(typeof lag === 'number' && Number.isFinite(lag))) {
    fail(stream, 'fair_lag is not a finite number');
  }
  const checkpoint: Checkpoint = {
    stream,
    schema_version: CHECKPOINT_SCHEMA_VERSION,
    since_id: sinceId,
    sweep,
    updated_at: typeof raw.updated_at === 'string' ? raw.updated_at : new Date(0).toISOString(),
    writer: typeof raw.writer === 'string' ? raw.writer : 'unknown',
    ...(typeof raw.user_id === 'string' ? { user_id: raw.user_id } : {}),
    ...(Array.isArray(recent) ? { recent_ids: recent as string[] } : {}),
    ...(typeof lag === 'number' ? { fair_lag: lag } : {}),
  };
  return checkpoint;
}
