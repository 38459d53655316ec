/**
 * Child process of property 9: a writer competing for one stream's lease in a shared store (SQLite
 * file or DynamoDB table). Each round: take the lease (short TTL, real clock), save a few since_ids,
 * try one save with the previous round's (stale) lease, release. Prints one JSON line: accepted ids,
 * stale writes accepted (must be 0), conflicts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CheckpointConflictError } from '../../src/core/errors.js';
import type { CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';

const [kind = '', target = '', stream = '', owner = '', roundsRaw = '3', seedRaw = '1', endpoint = ''] =
  process.argv.slice(2);
const store: CheckpointStore =
  kind === 'sqlite'
    ? new SqliteCheckpointStore({ path: target, busyTimeoutMs: 10_000 })
    : new DynamoDbCheckpointStore({
        tableName: target,
        client: new DynamoDBClient({ ...DUMMY_AWS, endpoint }),
      });
let seed = Number(seedRaw);
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed;
};

async function main(): Promise<void> {
  const accepted: string[] = [];
  let staleAccepted = 0;
  let conflicts = 0;
  let previous: Lease | undefined;
  for (let round = 0, tries = 0; round < Number(roundsRaw) && tries < 2_000; tries++) {
    const lease = await store.acquireLease(stream, `${owner}-${round}`, 200, Date.now());
    if (lease === null) {
      await new Promise((r) => setTimeout(r, 5 + (random() % 10)));
      continue;
    }
    round++;
    for (let i = 0; i < 3; i++) {
      const id = (1_600_000_000_000_000_000n + BigInt(random()) * 1_000_003n).toString();
      try {
        await store.save(checkpoint(stream, id, { writer: owner }), lease);
        accepted.push(id);
      } catch (error) {
        if (!(error instanceof CheckpointConflictError)) throw error;
        conflicts++;
      }
    }
    if (previous !== undefined) {
      // The lease of an earlier round was given up and taken again since: it must not write.
      try {
        await store.save(checkpoint(stream, '9000000000000000000', { writer: `${owner}-stale` }), previous);
        staleAccepted++;
      } catch (error) {
        if (!(error instanceof CheckpointConflictError)) throw error;
      }
    }
    await store.releaseLease(lease);
    previous = lease;
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ accepted, staleAccepted, conflicts })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
