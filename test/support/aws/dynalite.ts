/** Starts dynalite (an in-process DynamoDB implementation) on loopback for the real AWS SDK to talk to. */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTable } from '../../../src/adapters/aws/dynamodb-table.js';

export interface DynaliteHandle {
  readonly endpoint: string;
  /** A new client pointed at this server with dummy credentials. */
  client(config?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  /** Creates a table with the checkpoint key schema (`stream`, or `keyAttribute`); returns its name. */
  createTable(name?: string, keyAttribute?: string): Promise<string>;
  close(): Promise<void>;
}

/** Dummy credentials and region: dynalite does not check signatures. */
export const DUMMY_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
} as const;

let tables = 0;

export async function startDynalite(): Promise<DynaliteHandle> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = new DynamoDBClient({ ...DUMMY_AWS, endpoint });
  return {
    endpoint,
    client: (config = {}) => new DynamoDBClient({ ...DUMMY_AWS, endpoint, ...config }),
    async createTable(name = `checkpoints-${process.pid}-${++tables}`, keyAttribute = 'stream') {
      await ensureTable(admin, name, { pollIntervalMs: 10, keyAttribute });
      return name;
    },
    async close() {
      admin.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
