/**
 * The conditional UpdateItem inputs of the DynamoDB checkpoint store. Every write carries its own
 * condition, so correctness never depends on a read-modify-write window:
 *
 *   save     lease_owner = :owner AND lease_fence = :fence                  (fenced by the lease)
 *            AND (attribute_not_exists(since_id) OR since_id <= :since)     (monotonic, numeric N)
 *   acquire  attribute_not_exists(lease_owner) OR lease_expires_at_ms <= :now OR lease_owner = :owner
 *            then ADD lease_fence :one                                      (every acquisition fences)
 *   renew    lease_owner = :owner AND lease_fence = :fence
 *   release  lease_owner = :owner AND lease_fence = :fence, REMOVE owner, expiry 0
 *   migrate  since_id = :legacy (the S value read)                          (upgrade only if unchanged)
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint, type Lease } from '../../core/ports/checkpoint-store.js';
import { CHECKPOINT_ATTRIBUTES } from './checkpoint-item.js';

type Base = Pick<UpdateItemCommandInput, 'TableName' | 'Key'>;

function base(tableName: string, stream: string): Base {
  return { TableName: tableName, Key: { stream: { S: stream } } };
}

/** The fenced, monotonic write of a whole checkpoint. */
export function saveInput(tableName: string, checkpoint: Checkpoint, lease: Lease): UpdateItemCommandInput {
  const values: NonNullable<UpdateItemCommandInput['ExpressionAttributeValues']> = {
    ':v': { N: String(CHECKPOINT_SCHEMA_VERSION) },
    ':since': { N: checkpoint.since_id },
    ':updated': { S: checkpoint.updated_at },
    ':writer': { S: checkpoint.writer },
    ':owner': { S: lease.owner },
    ':fence': { N: String(lease.fence) },
  };
  const set = ['schema_version = :v', 'since_id = :since', 'updated_at = :updated', 'writer = :writer'];
  const remove: string[] = [];
  const sweep = checkpoint.sweep;
  if (sweep === null) {
    remove.push('sweep_newest_id', 'sweep_until_id', 'sweep_next_token');
  } else {
    set.push('sweep_newest_id = :newest');
    values[':newest'] = { N: sweep.newest_id };
    if (sweep.until_id === null) remove.push('sweep_until_id');
    else {
      set.push('sweep_until_id = :until');
      values[':until'] = { N: sweep.until_id };
    }
    if (sweep.next_token === null) remove.push('sweep_next_token');
    else {
      set.push('sweep_next_token = :token');
      values[':token'] = { S: sweep.next_token };
    }
  }
  if (checkpoint.user_id === undefined) remove.push('user_id');
  else {
    set.push('user_id = :user');
    values[':user'] = { S: checkpoint.user_id };
  }
  // The scheduler's fair-share state rides in the same conditional write as the frontier.
  if (checkpoint.fair_lag === undefined || checkpoint.fair_lag === 0) remove.push('fair_lag');
  else {
    set.push('fair_lag = :lag');
    values[':lag'] = { N: String(checkpoint.fair_lag) };
  }
  return {
    ...base(tableName, checkpoint.stream),
    UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression:
      'lease_owner = :owner AND lease_fence = :fence AND (attribute_not_exists(since_id) OR since_id <= :since)',
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
): UpdateItemCommandInput {
  return {
    ...base(tableName, stream),
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
export function renewInput(tableName: string, lease: Lease, expiresAtMs: number): UpdateItemCommandInput {
  return {
    ...base(tableName, lease.stream),
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
export function releaseInput(tableName: string, lease: Lease): UpdateItemCommandInput {
  return {
    ...base(tableName, lease.stream),
    UpdateExpression: 'SET lease_expires_at_ms = :zero REMOVE lease_owner',
    ConditionExpression: 'lease_owner = :owner AND lease_fence = :fence',
    ExpressionAttributeValues: {
      ':owner': { S: lease.owner },
      ':fence': { N: String(lease.fence) },
      ':zero': { N: '0' },
    },
  };
}

/** Upgrades a legacy item (string since_id) in place, only if it is unchanged since it was read. */
export function migrateInput(
  tableName: string,
  stream: string,
  legacySinceId: string,
  updatedAt: string,
  writer: string,
): UpdateItemCommandInput {
  return {
    ...base(tableName, stream),
    UpdateExpression: 'SET since_id = :since, schema_version = :v, updated_at = :updated, writer = :writer',
    ConditionExpression: 'since_id = :legacy',
    ExpressionAttributeValues: {
      ':legacy': { S: legacySinceId },
      ':since': { N: legacySinceId },
      ':v': { N: String(CHECKPOINT_SCHEMA_VERSION) },
      ':updated': { S: updatedAt },
      ':writer': { S: writer },
    },
    ReturnValues: 'ALL_NEW',
  };
}

/** Removes the checkpoint attributes but keeps the lease (and its fence) of the stream. */
export function resetInput(tableName: string, stream: string): UpdateItemCommandInput {
  return {
    ...base(tableName, stream),
    UpdateExpression: `REMOVE ${CHECKPOINT_ATTRIBUTES.join(', ')}`,
    // STREAM is a DynamoDB reserved word.
    ConditionExpression: 'attribute_exists(#stream)',
    ExpressionAttributeNames: { '#stream': 'stream' },
  };
}
