/**
 * The DynamoDB item of one stream and its translation to and from a Checkpoint (layout:
 * checkpoint-layout.ts).
 *
 *   <key> S │ <legacy> S │ frontier_since_id N │ schema_version N │ sweep_newest_id N │
 *   sweep_until_id N │ sweep_next_token S │ user_id S │ fair_lag N │ updated_at S │ writer S │
 *   lease_owner S │ lease_fence N │ lease_expires_at_ms N
 *
 * Ids travel as the decimal strings of `N` values, never as JS numbers, so ids above 2^53 stay exact.
 * What an item can be:
 *
 *   no item, or only the key and lease attributes          → empty (a new stream)
 *   frontier_since_id N (+ the legacy string, equal)        → current
 *   only the legacy string since_id (the old poller's)      → adopt 'legacy_string'
 *   since_id N + schema_version (this poller's first layout)→ adopt 'numeric_since_id'
 *   frontier_since_id N and a legacy string ABOVE it        → adopt 'rolled_back' (the old poller ran
 *                                                             again after us and moved on)
 *   anything else without a since_id                        → corrupt, naming what it holds
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { checkSchemaVersion, parseCheckpoint } from '../../core/checkpoint.js';
import { CorruptCheckpointError } from '../../core/errors.js';
import { compareIds, isValidId } from '../../core/ids.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../core/ports/checkpoint-store.js';
import {
  CHECKPOINT_ATTRIBUTES,
  type CheckpointLayout,
  DEFAULT_LAYOUT,
  FRONTIER_SINCE_ID,
  LEASE_ATTRIBUTES,
} from './checkpoint-layout.js';

export { CHECKPOINT_ATTRIBUTES };

export type Item = Record<string, AttributeValue>;

/** Why an item is adopted (the `from` of `checkpoint_migrated`). */
export type AdoptionSource = 'legacy_string' | 'numeric_since_id' | 'rolled_back';

/** An item to rewrite into the current layout, with the values its conditional write expects. */
export interface Adoption {
  readonly kind: 'adopt';
  readonly from: AdoptionSource;
  /** The since_id the adopted checkpoint starts from. */
  readonly sinceId: string;
  /** The raw attribute value the write is conditional on (legacy S, or the numeric since_id N). */
  readonly expected: string;
  /** For 'rolled_back': the frontier_since_id read, also part of the condition. */
  readonly expectedFrontier?: string;
}

/** What a stored item holds. */
export type DecodedItem =
  | { readonly kind: 'empty' }
  | Adoption
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

/** Reads the legacy string since_id, if the item has one. */
function readLegacy(item: Item, attribute: string, stream: string): string | undefined {
  const value = item[attribute];
  if (value === undefined) return undefined;
  if (value.S === undefined || !isValidId(value.S)) {
    throw corrupt(stream, `legacy ${attribute} is not a valid id in a string (S) attribute`);
  }
  return value.S;
}

/**
 * Reads an item (or its absence) without trusting it. Throws CorruptCheckpointError naming the
 * stream and the attribute at fault.
 */
export function decodeItem(
  stream: string,
  item: Item | undefined,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): DecodedItem {
  if (item === undefined) return { kind: 'empty' };
  const legacyName = layout.legacySinceIdAttribute;
  const version = item.schema_version;
  if (version !== undefined)
    checkSchemaVersion(version.N === undefined ? version : Number(version.N), stream);
  if (item[FRONTIER_SINCE_ID] !== undefined) {
    const decoded = decodeCurrent(stream, item);
    const legacy = readLegacy(item, legacyName, stream);
    if (legacy !== undefined && compareIds(legacy, decoded.checkpoint.sinceId) > 0) {
      return {
        kind: 'adopt',
        from: 'rolled_back',
        sinceId: legacy,
        expected: legacy,
        expectedFrontier: item[FRONTIER_SINCE_ID]!.N!,
      };
    }
    return decoded;
  }
  // This poller's first layout kept the numeric since_id under `since_id`.
  if (version !== undefined && item.since_id?.N !== undefined) {
    const sinceId = readId(item, 'since_id', stream)!;
    // Its sweep is kept: validate it as the current layout would.
    decodeCurrent(stream, { ...item, [FRONTIER_SINCE_ID]: { N: sinceId } });
    return { kind: 'adopt', from: 'numeric_since_id', sinceId, expected: sinceId };
  }
  const own = CHECKPOINT_ATTRIBUTES.filter((name) => item[name] !== undefined);
  const legacy = readLegacy(item, legacyName, stream);
  if (legacy !== undefined) {
    if (own.length > 0) throw corrupt(stream, `legacy ${legacyName} beside ${own.join(', ')}`);
    return { kind: 'adopt', from: 'legacy_string', sinceId: legacy, expected: legacy };
  }
  const others = Object.keys(item)
    .filter((name) => name !== layout.keyAttribute && !(LEASE_ATTRIBUTES as readonly string[]).includes(name))
    .sort();
  if (others.length === 0) return { kind: 'empty' };
  throw corrupt(
    stream,
    `no since_id (neither "${legacyName}" nor "${FRONTIER_SINCE_ID}") but it holds ${others.join(', ')}`,
  );
}

/** An attribute's number as stored (the decimal string of an N); any other type is passed on as it is, to fail core's check. */
function number(item: Item, name: string): unknown {
  const value = item[name];
  return value === undefined ? undefined : (value.N ?? value);
}

/** An attribute's string (S); any other type is passed on as it is, to fail core's check. */
function string(item: Item, name: string): unknown {
  const value = item[name];
  return value === undefined ? undefined : (value.S ?? value);
}

/** Maps a current-layout item onto the port's shape and checks it with core's one check. */
function decodeCurrent(stream: string, item: Item): { kind: 'current'; checkpoint: Checkpoint } {
  const sweep =
    item.sweep_newest_id === undefined &&
    item.sweep_until_id === undefined &&
    item.sweep_next_token === undefined
      ? null
      : {
          newestId: number(item, 'sweep_newest_id'),
          untilId: number(item, 'sweep_until_id'),
          nextToken: string(item, 'sweep_next_token'),
        };
  const lag = number(item, 'fair_lag');
  const version = number(item, 'schema_version');
  const checkpoint = parseCheckpoint(
    {
      stream,
      schemaVersion: typeof version === 'string' ? Number(version) : version,
      sinceId: number(item, FRONTIER_SINCE_ID),
      sweep,
      userId: string(item, 'user_id'),
      fairLag: typeof lag === 'string' ? Number(lag) : lag,
      updatedAt: string(item, 'updated_at'),
      writer: string(item, 'writer'),
    },
    stream,
  );
  return { kind: 'current', checkpoint };
}

/**
 * What `status` shows for an item, without writing: the checkpoint, or the one its adoption will
 * produce (writer `adopt:<from>` until a run adopts it). Null for an empty item.
 */
export function checkpointView(
  stream: string,
  item: Item | undefined,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): Checkpoint | null {
  const decoded = decodeItem(stream, item, layout);
  if (decoded.kind === 'empty') return null;
  if (decoded.kind === 'current') return decoded.checkpoint;
  const pending = { updatedAt: '', writer: `adopt:${decoded.from}` };
  if (decoded.from === 'numeric_since_id' && item !== undefined) {
    const view = decodeCurrent(stream, { ...item, [FRONTIER_SINCE_ID]: { N: decoded.sinceId } });
    return { ...view.checkpoint, ...pending };
  }
  return {
    stream,
    schemaVersion: CHECKPOINT_SCHEMA_VERSION,
    sinceId: decoded.sinceId,
    sweep: null,
    ...pending,
  };
}

/** Canonical form of an id for comparison with what DynamoDB returns (it strips leading zeros). */
function canonicalId(id: string): string {
  return BigInt(id).toString();
}

/** True when the stored item holds exactly `checkpoint` (used to recognise our own retried write). */
export function itemHoldsCheckpoint(
  item: Item | undefined,
  checkpoint: Checkpoint,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): boolean {
  let decoded: DecodedItem;
  try {
    decoded = decodeItem(checkpoint.stream, item, layout);
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
      : canonicalId(a.newestId) === b.newestId &&
        (a.untilId === null ? null : canonicalId(a.untilId)) === b.untilId &&
        a.nextToken === b.nextToken;
  return (
    sameSweep &&
    canonicalId(checkpoint.sinceId) === stored.sinceId &&
    checkpoint.writer === stored.writer &&
    checkpoint.updatedAt === stored.updatedAt &&
    checkpoint.userId === stored.userId &&
    (checkpoint.fairLag ?? 0) === (stored.fairLag ?? 0)
  );
}
