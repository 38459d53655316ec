/**
 * The DynamoDB item of one stream and its translation to and from a Checkpoint.
 *
 *   stream (S, key) │ schema_version N │ since_id N │ sweep_newest_id N │ sweep_until_id N │
 *   sweep_next_token S │ user_id S │ fair_lag N │ updated_at S │ writer S │ lease_owner S │
 *   lease_fence N │ lease_expires_at_ms N
 *
 * Ids travel as the decimal strings of `N` values, never as JS numbers, so ids above 2^53 stay exact.
 * The old poller stored only `since_id` as a string (`S`): that item is "legacy" and is upgraded on load.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CorruptCheckpointError } from '../../core/errors.js';
import { compareIds, isValidId } from '../../core/ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../core/ports/checkpoint-store.js';

export type Item = Record<string, AttributeValue>;

/** Attributes that make up the checkpoint (the lease attributes are kept apart). */
export const CHECKPOINT_ATTRIBUTES = [
  'schema_version',
  'since_id',
  'sweep_newest_id',
  'sweep_until_id',
  'sweep_next_token',
  'user_id',
  'fair_lag',
  'updated_at',
  'writer',
] as const;

/** What a stored item holds. */
export type DecodedItem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'legacy'; readonly sinceId: string }
  | { readonly kind: 'current'; readonly checkpoint: Checkpoint };

function corrupt(stream: string, why: string): CorruptCheckpointError {
  return new CorruptCheckpointError(`checkpoint of stream "${stream}" is corrupt: ${why}`, stream);
}

function readId(item: Item, name: string, stream: string): string | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (value.N === undefined || !isValidId(value.N)) throw corrupt(stream, `${name} is not a valid id`);
  return value.N;
}

function readString(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

/** Reads an item (or its absence) without trusting it. Throws CorruptCheckpointError naming the stream. */
export function decodeItem(stream: string, item: Item | undefined): DecodedItem {
  const since = item?.since_id;
  if (item === undefined || since === undefined) return { kind: 'empty' };
  if (since.S !== undefined) {
    if (!isValidId(since.S)) throw corrupt(stream, 'legacy since_id is not a valid id');
    return { kind: 'legacy', sinceId: since.S };
  }
  const version = item.schema_version?.N;
  if (version !== String(CHECKPOINT_SCHEMA_VERSION)) {
    throw corrupt(stream, `unknown schema_version ${version ?? '(missing)'}`);
  }
  const sinceId = readId(item, 'since_id', stream);
  if (sinceId === undefined) throw corrupt(stream, 'since_id missing');
  const newest = readId(item, 'sweep_newest_id', stream);
  const until = readId(item, 'sweep_until_id', stream) ?? null;
  const token = readString(item, 'sweep_next_token') ?? null;
  if (newest === undefined && (until !== null || token !== null)) {
    throw corrupt(stream, 'sweep fields without sweep_newest_id');
  }
  if (newest !== undefined && compareIds(sinceId, newest) > 0) {
    throw corrupt(stream, 'since_id is above sweep_newest_id');
  }
  if (newest !== undefined && until !== null && compareIds(until, newest) > 0) {
    throw corrupt(stream, 'sweep_until_id is above sweep_newest_id');
  }
  const userId = readString(item, 'user_id');
  const lagText = item.fair_lag?.N;
  const lag = lagText === undefined ? undefined : Number(lagText);
  if (item.fair_lag !== undefined && (lag === undefined || !Number.isFinite(lag))) {
    throw corrupt(stream, 'fair_lag is not a number');
  }
  const checkpoint: Checkpoint = {
    stream,
    schema_version: CHECKPOINT_SCHEMA_VERSION,
    since_id: sinceId,
    sweep: newest === undefined ? null : { newest_id: newest, until_id: until, next_token: token },
    ...(userId === undefined ? {} : { user_id: userId }),
    ...(lag === undefined ? {} : { fair_lag: lag }),
    updated_at: readString(item, 'updated_at') ?? '',
    writer: readString(item, 'writer') ?? '',
  };
  return { kind: 'current', checkpoint };
}

/** Canonical form of an id for comparison with what DynamoDB returns (it strips leading zeros). */
function canonicalId(id: string): string {
  return BigInt(id).toString();
}

/** True when the stored item holds exactly `checkpoint` (used to recognise our own retried write). */
export function itemHoldsCheckpoint(item: Item | undefined, checkpoint: Checkpoint): boolean {
  let decoded: DecodedItem;
  try {
    decoded = decodeItem(checkpoint.stream, item);
  } catch {
    return false;
  }
  if (decoded.kind !== 'current') return false;
  const stored = decoded.checkpoint;
  const a = checkpoint.sweep;
  const b = stored.sweep;
  const sameSweep =
    a === null || b === null
      ? a === b
      : canonicalId(a.newest_id) === b.newest_id &&
        (a.until_id === null ? null : canonicalId(a.until_id)) === b.until_id &&
        a.next_token === b.next_token;
  return (
    sameSweep &&
    canonicalId(checkpoint.since_id) === stored.since_id &&
    checkpoint.writer === stored.writer &&
    checkpoint.updated_at === stored.updated_at &&
    checkpoint.user_id === stored.user_id &&
    (checkpoint.fair_lag ?? 0) === (stored.fair_lag ?? 0)
  );
}
