import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { CheckpointConflictError } from '../../src/core/errors.js';
import { compareIds } from '../../src/core/ids.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';

const run = promisify(execFile);
const WRITER = fileURLToPath(new URL('../support/aws/checkpoint-writer.ts', import.meta.url));
const T0 = 1_800_000_000_000;
let db: DynaliteHandle;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable();
});
afterAll(async () => db?.close());

const maxOf = (ids: readonly string[]) => ids.reduce((a, b) => (compareIds(a, b) >= 0 ? a : b));

describe('DynamoDbCheckpointStore under concurrent writers', () => {
  it('keeps the largest accepted since_id when in-process writers race, and never regresses', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }), { minLength: 2, maxLength: 24 }),
        async (ids) => {
          const stream = `race-${++round}`;
          const store = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
          const lease = (await store.acquireLease(stream, 'exec', 60_000, T0))!;
          const seen: string[] = [];
          let reading = true;
          const reader = (async () => {
            while (reading) {
              const cp = await store.load(stream);
              if (cp !== null) seen.push(cp.sinceId);
            }
          })();
          const results = await Promise.allSettled(
            ids.map((id) => store.save(checkpoint(stream, id.toString()), lease)),
          );
          reading = false;
          await reader;
          const accepted = ids.filter((_, i) => results[i]?.status === 'fulfilled').map(String);
          for (const r of results) {
            if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointConflictError);
          }
          const final = (await store.load(stream))?.sinceId;
          expect(final).toBe(maxOf(ids.map(String)));
          expect(final).toBe(maxOf(accepted));
          for (let i = 1; i < seen.length; i++)
            expect(compareIds(seen[i - 1]!, seen[i]!)).toBeLessThanOrEqual(0);
          await store.close();
        },
      ),
      { numRuns: 15, verbose: true },
    );
  });

  it('keeps the largest accepted since_id when three child processes race on one stream', async () => {
    const store = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    const lease = (await store.acquireLease('children', 'exec-children', 60_000, T0))!;
    const children = [11, 22, 33].map((seed) =>
      run(process.execPath, ['--import', 'tsx', WRITER], {
        env: {
          ...process.env,
          ENDPOINT: db.endpoint,
          TABLE: table,
          STREAM: 'children',
          OWNER: lease.owner,
          FENCE: String(lease.fence),
          COUNT: '40',
          SEED: String(seed),
        },
      }),
    );
    const outputs = (await Promise.all(children)).map(
      ({ stdout }) =>
        JSON.parse(stdout.trim().split('\n').at(-1)!) as { accepted: string[]; conflicts: number },
    );
    const accepted = outputs.flatMap((o) => o.accepted);
    expect(accepted.length + outputs.reduce((n, o) => n + o.conflicts, 0)).toBe(120);
    expect((await store.load('children'))?.sinceId).toBe(maxOf(accepted));
    await store.close();
  });

  it('lets exactly one of several concurrent executions take a free stream', async () => {
    const store = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
    const leases = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.acquireLease('contested', `exec-${i}`, 60_000, T0)),
    );
    expect(leases.filter((l) => l !== null)).toHaveLength(1);
    await store.close();
  });
});
