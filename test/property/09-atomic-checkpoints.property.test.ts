/**
 * Property 9, atomic checkpoints, on the real stores (memory, SQLite on a temp file, DynamoDB on
 * dynalite): writers competing for a stream's lease, their store calls interleaved by fast-check's
 * scheduler, never move since_id backwards, never lose an accepted update, and a holder whose lease was
 * taken over cannot write. Then the same with real processes sharing a SQLite file and a dynalite table.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { CheckpointConflictError } from '../../src/core/errors.js';
import { compareIds } from '../../src/core/ids.js';
import type { CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';
import { checkpoint } from '../support/aws/checkpoints.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { runNode } from './processes.js';
import { emptyFigures, iterations, reportScenario, runs, sqliteStore, tempDir } from './support.js';

type Op =
  | { readonly kind: 'acquire'; readonly ttl: number }
  | { readonly kind: 'save'; readonly since: bigint }
  | { readonly kind: 'renew' }
  | { readonly kind: 'release' }
  | { readonly kind: 'tick'; readonly ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 1, max: 50 }).map((ttl) => ({ kind: 'acquire', ttl }) as const),
  fc
    .bigInt({ min: 1n, max: 2000n })
    .map((since) => ({ kind: 'save', since: 1_700_000_000_000_000_000n + since }) as const),
  fc
    .bigInt({ min: 1n, max: 2000n })
    .map((since) => ({ kind: 'save', since: 1_700_000_000_000_000_000n + since }) as const),
  fc.constant({ kind: 'renew' } as const),
  fc.constant({ kind: 'release' } as const),
  fc.integer({ min: 1, max: 40 }).map((ms) => ({ kind: 'tick', ms }) as const),
);

const T0 = 1_800_000_000_000;
const maxOf = (ids: readonly string[]) => ids.reduce((a, b) => (compareIds(a, b) >= 0 ? a : b));

describe('property 9: atomic checkpoints', () => {
  let db: DynaliteHandle;
  let table: string;
  let dir: ReturnType<typeof tempDir>;
  let sqlite: ReturnType<typeof sqliteStore>;
  let dynamo: DynamoDbCheckpointStore;
  const figures = emptyFigures();
  beforeAll(async () => {
    db = await startDynalite();
    table = await db.createTable();
    dir = tempDir('tp-prop09-');
    sqlite = sqliteStore(dir.dir);
    dynamo = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
  });
  afterAll(async () => {
    reportScenario('property-09 atomic checkpoints (processes, SQLite + dynalite)', figures);
    await dynamo.close();
    await sqlite.close();
    await db.close();
    dir.remove();
  });

  const stores: [string, () => CheckpointStore, number][] = [
    ['memory', () => new MemoryCheckpointStore(), runs(100)],
    ['sqlite', () => sqlite, runs(100)],
    ['dynamodb', () => dynamo, runs(100, 3)],
  ];
  let n = 0;

  it.each(stores)(
    '%s: interleaved writers never regress, never lose an update, stale leases cannot write',
    async (_name, open, numRuns) => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 4 }),
          async (s, programs) => {
            const store = open();
            const stream = `race-${_name}-${++n}`;
            let now = T0;
            let seq = 0;
            /** Every successful acquisition: who, fence, and when it completed. */
            const acquisitions: { owner: string; fence: number; doneAt: number }[] = [];
            const accepted: { since: string; owner: string; fence: number; startedAt: number }[] = [];
            const observed: string[] = [];
            const writer = async (w: number, program: readonly Op[]) => {
              let lease: Lease | null = null;
              for (const o of program) {
                await s.schedule(Promise.resolve(o.kind), `w${w} ${o.kind}`);
                if (o.kind === 'tick') {
                  now += o.ms;
                } else if (o.kind === 'acquire') {
                  const got = await store.acquireLease(stream, `w${w}`, o.ttl, now);
                  if (got !== null) {
                    lease = got;
                    acquisitions.push({ owner: `w${w}`, fence: got.fence, doneAt: ++seq });
                  }
                } else if (o.kind === 'renew' && lease !== null) {
                  lease = await store.renewLease(lease, 50, now).catch((e: unknown) => {
                    expect(e).toBeInstanceOf(CheckpointConflictError);
                    return lease;
                  });
                } else if (o.kind === 'release' && lease !== null) {
                  await store.releaseLease(lease);
                } else if (o.kind === 'save' && lease !== null) {
                  const startedAt = ++seq;
                  const since = o.since.toString();
                  try {
                    await store.save(checkpoint(stream, since, { writer: `w${w}` }), lease);
                    accepted.push({ since, owner: `w${w}`, fence: lease.fence, startedAt });
                  } catch (e) {
                    expect(e).toBeInstanceOf(CheckpointConflictError);
                  }
                }
                const current = await store.load(stream);
                if (current !== null) observed.push(current.sinceId);
              }
            };
            await s.waitFor(Promise.all(programs.map((p, w) => writer(w, p))));
            const final = await store.load(stream);
            // Never backwards, as seen by anyone reading.
            for (let i = 1; i < observed.length; i++) {
              if (compareIds(observed[i - 1]!, observed[i]!) > 0) figures.regressions++;
              expect(compareIds(observed[i - 1]!, observed[i]!)).toBeLessThanOrEqual(0);
            }
            // No accepted update lost: the stored since_id is the largest one accepted.
            if (accepted.length > 0) expect(final?.sinceId).toBe(maxOf(accepted.map((a) => a.since)));
            else expect(final).toBeNull();
            // A stale holder cannot write: no save accepted after a newer fence was handed out before it started.
            for (const a of accepted) {
              const newer = acquisitions.find((q) => q.fence > a.fence && q.doneAt < a.startedAt);
              expect(newer).toBeUndefined();
            }
          },
        ),
        { numRuns },
      );
    },
  );

  it.each(['sqlite', 'dynamodb'] as const)(
    '%s: real processes racing for one stream keep the largest accepted since_id; stale leases never write',
    { timeout: 120_000 },
    async (kind) => {
      for (let round = 0; round < iterations(1, 3); round++) {
        const stream = `procs-${kind}-${round}`;
        const target = kind === 'sqlite' ? `${dir.dir}/state.db` : table;
        const writers = iterations(4, 6);
        const results = await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            runNode(
              [
                'test/property/lease-writer.ts',
                kind,
                target,
                stream,
                `p${i}`,
                '3',
                String(round * 100 + i + 1),
                db.endpoint,
              ],
              {
                timeoutMs: 90_000,
              },
            ),
          ),
        );
        const outputs = results.map((r) => {
          expect(r.code, r.stderr).toBe(0);
          return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
            accepted: string[];
            staleAccepted: number;
            conflicts: number;
          };
        });
        figures.runs += writers;
        const accepted = outputs.flatMap((o) => o.accepted);
        const stale = outputs.reduce((a, o) => a + o.staleAccepted, 0);
        figures.unexpected += stale;
        const store = kind === 'sqlite' ? sqlite : dynamo;
        expect(accepted.length).toBeGreaterThan(0);
        expect(stale).toBe(0);
        const final = (await store.load(stream))?.sinceId;
        if (final !== maxOf(accepted)) figures.lost++;
        expect(final).toBe(maxOf(accepted));
      }
    },
  );
});
