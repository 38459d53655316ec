/**
 * The conditional UpdateItem inputs of the DynamoDB checkpoint store. Every write carries its own
 * condition, so correctness never depends on a read-modify-write window:
 *
 *   save     lease_owner = :owner AND lease_fence = :fence                  (fenced by the lease)
 *            AND (attribute_not_exists(frontier_since_id)
 *                 OR frontier_since_id <= :since)                           (monotonic, numeric N)
 *            and SET #legacy = the new since_id as a string                 (the old poller's field)
 *   acquire  attribute_not_exists(lease_owner) OR lease_expires_at_ms <= :now OR lease_owner = :owner
 *            then ADD lease_fence :one                                      (every acquisition fences)
 *   renew    lease_owner = :owner AND lease_fence = :fence
 *   release  lease_owner = :owner AND lease_fence = :fence, REMOVE owner, expiry 0
 *   adopt    legacy_string:    #legacy = :expected AND attribute_not_exists(frontier_since_id)
 *            numeric_since_id: since_id = :expected AND attribute_not_exists(frontier_since_id)
 *            rolled_back:      #legacy = :expected AND frontier_since_id = :frontier
 *                                                                           (only if unchanged)
 *
 * `#key` is the table's key attribute and `#legacy` the old poller's string since_id (both
 * configurable, see checkpoint-layout.ts); they are always passed as expression attribute names.
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint, type Lease } from '../../core/ports/checkpoint-store.js';
import type { Adoption } from './checkpoint-item.js';
import {
  CHECKPOINT_ATTRIBUTES,
  type CheckpointLayout,
  DEFAULT_LAYOUT,
  FRONTIER_SINCE_ID,
} from './checkpoint-layout.js';

type Base = Pick<UpdateItemCommandInput, 'TableName' | 'Key'>;

function base(tableName: string, stream: string, layout: CheckpointLayout): Base {
  return { TableName: tableName, Key: { [layout.keyAttribute]: { S: stream } } };
}

/** The fenced, monotonic write of a whole checkpoint, rewriting the legacy string since_id with it. */
export function saveInput(
  tableName: string,
  checkpoint: Checkpoint,
  lease: Lease,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  const values: NonNullable<UpdateItemCommandInput['ExpressionAttributeValues']> = {
    ':v': { N: String(CHECKPOINT_SCHEMA_VERSION) },
    ':since': { N: checkpoint.sinceId },
    ':legacy': { S: checkpoint.sinceId },
    ':updated': { S: checkpoint.updatedAt },
    ':writer': { S: checkpoint.writer },
    ':owner': { S: lease.owner },
    ':fence': { N: String(lease.fence) },
  };
  const set = [
    'schema_version = :v',
    `${FRONTIER_SINCE_ID} = :since`,
    '#legacy = :legacy',
    'updated_at = :updated',
    'writer = :writer',
  ];
  const remove: string[] = [];
  const sweep = checkpoint.sweep;
  if (sweep === null) {
    remove.push('sweep_newest_id', 'sweep_until_id', 'sweep_next_token');
  } else {
    set.push('sweep_newest_id = :newest');
    values[':newest'] = { N: sweep.newestId };
    if (sweep.untilId === null) remove.push('sweep_until_id');
    else {
      set.push('sweep_until_id = :until');
      values[':until'] = { N: sweep.untilId };
    }
    if (sweep.nextToken === null) remove.push('sweep_next_token');
    else {
      set.push('sweep_next_token = :token');
      values[':token'] = { S: sweep.nextToken };
    }
  }
  if (checkpoint.userId === undefined) remove.push('user_id');
  else {
    set.push('user_id = :user');
    values[':user'] = { S: checkpoint.userId };
  }
  // The scheduler's fair-share state rides in the same conditional write as the frontier.
  if (checkpoint.fairLag === undefined || checkpoint.fairLag === 0) remove.push('fair_lag');
  else {
    set.push('fair_lag = :lag');
    values[':lag'] = { N: String(checkpoint.fairLag) };
  }
  return {
    ...base(tableName, checkpoint.stream, layout),
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: `lease_owner = :owner AND lease_fence = :fence AND (attribute_not_exists(${FRONTIER_SINCE_ID}) OR ${FRONTIER_SINCE_ID} <= :since)`,
    ExpressionAttributeNames: { '#legacy': layout.legacySinceIdAttribute },
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Takes the lease when free, expired or already ours; the fence grows by one. */
export function acquireInput(
  tableName: string,
  stream: string,
  owner: string,
  expiresAtMs: number,
  nowMs: number,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  return {
    ...base(tableName, stream, layout),
    UpdateExpression: 'SET lease_owner = :owner, lease_expires_at_ms = :exp ADD lease_fence :one',
    ConditionExpression:
      'attribute_not_exists(lease_owner) OR lease_expires_at_ms <= :now OR lease_owner = :owner',
    ExpressionAttributeValues: {
      ':owner': { S: owner },
      ':exp': { N: String(expiresAtMs) },
      ':now': { N: String(nowMs) },
      ':one': { N: '1' },
    },
    ReturnValues: 'ALL_NEW',
  };
}

/** Extends the lease if the owner and fence still match. */
export function renewInput(
  tableName: string,
  lease: Lease,
  expiresAtMs: number,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  return {
    ...base(tableName, lease.stream, layout),
    UpdateExpression: 'SET lease_expires_at_ms = :exp',
    ConditionExpression: 'lease_owner = :owner AND lease_fence = :fence',
    ExpressionAttributeValues: {
      ':owner': { S: lease.owner },
      ':fence': { N: String(lease.fence) },
      ':exp': { N: String(expiresAtMs) },
    },
  };
}

/** Frees the lease if it is still ours; the fence stays, so older holders stay fenced out. */
export function releaseInput(
  tableName: string,
  lease: Lease,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  return {
    ...base(tableName, lease.stream, layout),
    UpdateExpression: 'SET lease_expires_at_ms = :zero REMOVE lease_owner',
    ConditionExpression: 'lease_owner = :owner AND lease_fence = :fence',
    ExpressionAttributeValues: {
      ':owner': { S: lease.owner },
      ':fence': { N: String(lease.fence) },
      ':zero': { N: '0' },
    },
  };
}

/**
 * Adopts an item into the current layout (see checkpoint-item.ts for the three sources), only if it
 * is unchanged since it was read. The numeric frontier is added beside the legacy string, which is
 * kept (rewritten as the canonical string); a rolled-back item also drops its stale sweep.
 */
export function adoptInput(
  tableName: string,
  stream: string,
  adoption: Adoption,
  updatedAt: string,
  writer: string,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  const names: Record<string, string> = { '#legacy': layout.legacySinceIdAttribute };
  const values: NonNullable<UpdateItemCommandInput['ExpressionAttributeValues']> = {
    ':since': { N: adoption.sinceId },
    ':legacy': { S: adoption.sinceId },
    ':v': { N: String(CHECKPOINT_SCHEMA_VERSION) },
    ':updated': { S: updatedAt },
    ':writer': { S: writer },
  };
  const set = `SET ${FRONTIER_SINCE_ID} = :since, #legacy = :legacy, schema_version = :v, updated_at = :updated, writer = :writer`;
  let remove: string[] = [];
  let condition: string;
  switch (adoption.from) {
    case 'legacy_string':
      values[':expected'] = { S: adoption.expected };
      condition = `#legacy = :expected AND attribute_not_exists(${FRONTIER_SINCE_ID})`;
      break;
    case 'numeric_since_id':
      values[':expected'] = { N: adoption.expected };
      condition = `#old = :expected AND attribute_not_exists(${FRONTIER_SINCE_ID})`;
      names['#old'] = 'since_id';
      // The numeric since_id goes unless the legacy string takes its place under the same name.
      if (layout.legacySinceIdAttribute !== 'since_id') remove = ['#old'];
      break;
    case 'rolled_back':
      values[':expected'] = { S: adoption.expected };
      values[':frontier'] = { N: adoption.expectedFrontier ?? adoption.expected };
      condition = `#legacy = :expected AND ${FRONTIER_SINCE_ID} = :frontier`;
      remove = ['sweep_newest_id', 'sweep_until_id', 'sweep_next_token'];
      break;
  }
  return {
    ...base(tableName, stream, layout),
    UpdateExpression: `${set}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/** Removes the checkpoint attributes (and the legacy since_id) but keeps the lease and its fence. */
export function resetInput(
  tableName: string,
  stream: string,
  layout: CheckpointLayout = DEFAULT_LAYOUT,
): UpdateItemCommandInput {
  // The first layout's numeric since_id goes too (one name may not appear twice in a REMOVE).
  const old = layout.legacySinceIdAttribute === 'since_id' ? {} : { '#old': 'since_id' };
  return {
    ...base(tableName, stream, layout),
    UpdateExpression: `REMOVE ${[...CHECKPOINT_ATTRIBUTES, '#legacy', ...Object.keys(old)].join(', ')}`,
    ConditionExpression: 'attribute_exists(#key)',
    ExpressionAttributeNames: {
      '#key': layout.keyAttribute,
      '#legacy': layout.legacySinceIdAttribute,
      ...old,
    },
  };
}
