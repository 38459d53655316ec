/** Creates the checkpoint table for tests and the CLI (the SAM template creates it in the cloud). */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';

/** The table's only key: the partition key `stream`, a string (infra/template.yaml declares the same). */
export const CHECKPOINT_TABLE_KEY = { AttributeName: 'stream', AttributeType: 'S', KeyType: 'HASH' } as const;

export interface EnsureTableOptions {
  /** Polls DescribeTable until ACTIVE at most this many times. @default 60 */
  readonly maxPolls?: number;
  /** Delay between two polls. @default 500 */
  readonly pollIntervalMs?: number;
  /** The partition key's name (an adopted table may use another). @default 'stream' */
  readonly keyAttribute?: string;
}

/** Creates `tableName` (partition key `stream` S or `keyAttribute`, on-demand) unless it exists; resolves once ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  const { maxPolls = 60, pollIntervalMs = 500, keyAttribute = CHECKPOINT_TABLE_KEY.AttributeName } = options;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: keyAttribute, AttributeType: CHECKPOINT_TABLE_KEY.AttributeType },
        ],
        KeySchema: [{ AttributeName: keyAttribute, KeyType: CHECKPOINT_TABLE_KEY.KeyType }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let poll = 0; poll < maxPolls; poll++) {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (out.Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  throw new Error(`table ${tableName} did not become ACTIVE after ${maxPolls} polls`);
}
