/**
 * Helpers of the crash matrix: the CLI as a child process killed at a failpoint, its JSONL output read
 * back, the lease of a killed run expired by hand (as time would), and the figures of each point.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';

/** Post ids of a JSONL sink file, in order (a torn last line, if any, is ignored). */
export function readJsonlIds(path: string): string[] {
  if (!existsSync(path)) return [];
  const ids: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      ids.push((JSON.parse(line) as { id: string }).id);
    } catch {
      // A line cut by the kill: never acknowledged, so it will be delivered again whole.
    }
  }
  return ids;
}

/** What the lease of a SIGKILLed process becomes once its TTL has passed. */
export function expireSqliteLeases(path: string): void {
  if (!existsSync(path)) return;
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE leases SET expires_at_ms = 0').run();
  } finally {
    db.close();
  }
}

export async function expireDynamoLease(
  client: DynamoDBClient,
  table: string,
  stream: string,
): Promise<void> {
  await client
    .send(
      new UpdateItemCommand({
        TableName: table,
        Key: { stream: { S: stream } },
        UpdateExpression: 'SET lease_expires_at_ms = :zero',
        ConditionExpression: 'attribute_exists(lease_owner)',
        ExpressionAttributeValues: { ':zero': { N: '0' } },
      }),
    )
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    });
}
