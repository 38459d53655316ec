/**
 * Child-process writer for the multi-process race test: saves COUNT random since_ids to one stream
 * under the lease given in the environment, then prints the ids that were accepted as one JSON line.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../../src/adapters/stores/dynamodb.js';
import { CheckpointConflictError } from '../../../src/core/errors.js';
import { checkpoint } from './checkpoints.js';
import { DUMMY_AWS } from './dynalite.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

const stream = env('STREAM');
const lease = {
  stream,
  owner: env('OWNER'),
  fence: Number(env('FENCE')),
  expiresAtMs: Number.MAX_SAFE_INTEGER,
};
const client = new DynamoDBClient({ ...DUMMY_AWS, endpoint: env('ENDPOINT') });
const store = new DynamoDbCheckpointStore({ tableName: env('TABLE'), client });
let seed = Number(env('SEED'));
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed;
};

const accepted: string[] = [];
let conflicts = 0;
for (let i = 0; i < Number(env('COUNT')); i++) {
  const id = (1_600_000_000_000_000_000n + BigInt(random()) * 1_000_003n).toString();
  try {
    await store.save(checkpoint(stream, id, { writer: `child-${process.pid}` }), lease);
    accepted.push(id);
  } catch (error) {
    if (!(error instanceof CheckpointConflictError)) throw error;
    conflicts += 1;
  }
}
client.destroy();
process.stdout.write(`${JSON.stringify({ accepted, conflicts })}\n`);
