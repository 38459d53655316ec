/**
 * Property 10, recovery and initialization, on the real stores: any corrupt SQLite row or DynamoDB item
 * is detected (CorruptCheckpointError naming the stream, the engine's outcome `failed`, nothing
 * delivered, the stored state untouched); any legacy DynamoDB item (a bare since_id string) is migrated
 * and polled from; and a first run starts exactly where it is configured (the emulator's request log).
 */
import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { DynamoDbCheckpointStore } from '../../src/adapters/stores/dynamodb.js';
import type { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CorruptCheckpointError } from '../../src/core/errors.js';
import { compareIds, timeMsToId } from '../../src/core/ids.js';
import type { CheckpointStore } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import type { InitialPosition } from '../../src/core/stream.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  archiveStream,
  CollectingSink,
  engineDeps,
  fastOptions,
  NOW,
  runs,
  sqliteStore,
  startTestEmulator,
  tempDir,
} from './support.js';

const MAX = (1n << 63n) - 1n;
const validId = fc.bigInt({ min: 1n, max: MAX }).map(String);
/** Values a damaged or hand-edited store could hold where an id belongs. */
const idLike = fc.oneof(
  { arbitrary: validId, weight: 6 },
  {
    arbitrary: fc.constantFrom(
      '0',
      '-5',
      '',
      'abc',
      '12a',
      ' 123',
      '1e5',
      '1.5',
      '99999999999999999999',
      (MAX + 1n).toString(),
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ maxLength: 25 }), weight: 1 },
);
const isId = (v: unknown): v is string =>
  typeof v === 'string' && /^[0-9]{1,19}$/.test(v) && BigInt(v) > 0n && BigInt(v) <= MAX;

interface RawCheckpoint {
  since_id: string;
  sweep_newest_id: string | null;
  sweep_until_id: string | null;
  sweep_next_token: string | null;
  schema_version: number;
}

const raw: fc.Arbitrary<RawCheckpoint> = fc.record({
  since_id: idLike,
  sweep_newest_id: fc.option(idLike, { nil: null }),
  sweep_until_id: fc.option(idLike, { nil: null }),
  sweep_next_token: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  schema_version: fc.constantFrom(2, 2, 2, 1, 3, 0),
});

/** The independent oracle: 'valid' or 'corrupt' (core's rules, src/core/checkpoint.ts). */
function verdict(r: RawCheckpoint): 'valid' | 'corrupt' {
  if (r.schema_version !== 2 || !isId(r.since_id)) return 'corrupt';
  if (r.sweep_newest_id === null)
    return r.sweep_until_id === null && r.sweep_next_token === null ? 'valid' : 'corrupt';
  if (!isId(r.sweep_newest_id)) return 'corrupt';
  if (compareIds(r.since_id, r.sweep_newest_id) > 0) return 'corrupt'; // inverted bounds
  if (r.sweep_until_id !== null) {
    if (!isId(r.sweep_until_id)) return 'corrupt';
    if (compareIds(r.sweep_until_id, r.sweep_newest_id) > 0) return 'corrupt';
    if (compareIds(r.sweep_until_id, r.since_id) <= 0) return 'corrupt'; // core's rule 7: until_id > since_id
  }
  return 'valid';
}

describe('property 10: recovery and initialization', () => {
  let emu: RunningEmulator;
  let db: DynaliteHandle;
  let table: string;
  let dir: ReturnType<typeof tempDir>;
  let sqlite: SqliteCheckpointStore;
  let raw3: Database.Database;
  let dynamo: DynamoDbCheckpointStore;
  let n = 0;
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 100 });
    db = await startDynalite();
    table = await db.createTable();
    dir = tempDir('tp-prop10-');
    sqlite = sqliteStore(dir.dir);
    raw3 = new Database(`${dir.dir}/state.db`);
    raw3.pragma('busy_timeout = 5000');
    dynamo = new DynamoDbCheckpointStore({ tableName: table, client: db.client() });
  });
  afterAll(async () => {
    raw3.close();
    await dynamo.close();
    await sqlite.close();
    await db.close();
    await emu.close();
    dir.remove();
  });

  async function expectDetectedAndUntouched(
    store: CheckpointStore,
    stream: string,
    r: RawCheckpoint,
    snapshot: () => Promise<unknown>,
  ) {
    const v = verdict(r);
    let loaded: unknown;
    try {
      loaded = await store.load(stream);
    } catch (error) {
      loaded = error;
    }
    if (v === 'corrupt') {
      expect(loaded).toBeInstanceOf(CorruptCheckpointError);
      expect((loaded as CorruptCheckpointError).message).toContain(stream);
      const before = await snapshot();
      const sink = new CollectingSink();
      const summary = await runExecution(
        engineDeps(emu, store, sink),
        [archiveStream('the', stream)],
        fastOptions(),
      );
      expect(summary.streams[0]!.outcome).toBe('failed');
      expect(sink.ids).toEqual([]);
      expect(await snapshot()).toEqual(before);
    } else {
      expect(loaded).not.toBeInstanceOf(Error);
      expect((loaded as { sinceId: string }).sinceId).toBe(BigInt(r.since_id).toString());
    }
  }

  it('SQLite: every corrupt row is detected, reported and left as it is', async () => {
    await fc.assert(
      fc.asyncProperty(raw, async (r) => {
        const stream = `sq-${++n}`;
        raw3
          .prepare(
            `INSERT INTO checkpoints (stream, since_id, sweep_newest_id, sweep_until_id, sweep_next_token, user_id, recent_ids, schema_version, updated_at, writer)
             VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, '2026-01-01T00:00:00.000Z', 'test')`,
          )
          .run(stream, r.since_id, r.sweep_newest_id, r.sweep_until_id, r.sweep_next_token, r.schema_version);
        const snapshot = async () => raw3.prepare('SELECT * FROM checkpoints WHERE stream = ?').get(stream);
        await expectDetectedAndUntouched(sqlite, stream, r, snapshot);
      }),
      { numRuns: runs(150) },
    );
  });

  it('DynamoDB: every corrupt item is detected, reported and left as it is', async () => {
    const client = db.client();
    await fc.assert(
      fc.asyncProperty(raw, fc.boolean(), async (r, numbersAsStrings) => {
        const stream = `dy-${++n}`;
        // Ids are N; damaged values that DynamoDB would not take as N are stored as S (type confusion).
        const id = (v: string): AttributeValue =>
          !numbersAsStrings && /^-?[1-9][0-9]{0,37}$/.test(v) ? { N: v } : { S: v };
        const item: Record<string, AttributeValue> = {
          stream: { S: stream },
          schema_version: { N: String(r.schema_version) },
          frontier_since_id: isId(r.since_id) && numbersAsStrings ? { N: r.since_id } : id(r.since_id),
          updated_at: { S: '2026-01-01T00:00:00.000Z' },
          writer: { S: 'test' },
        };
        if (r.sweep_newest_id !== null) item.sweep_newest_id = id(r.sweep_newest_id);
        if (r.sweep_until_id !== null) item.sweep_until_id = id(r.sweep_until_id);
        if (r.sweep_next_token !== null && r.sweep_next_token !== '')
          item.sweep_next_token = { S: r.sweep_next_token };
        await client.send(new PutItemCommand({ TableName: table, Item: item }));
        // The oracle reads the item as stored: an S id is not an id (unless since_id, the legacy form).
        const stored: RawCheckpoint = {
          ...r,
          since_id: r.since_id,
          sweep_newest_id:
            item.sweep_newest_id === undefined ? null : (item.sweep_newest_id.N ?? `S:${r.sweep_newest_id}`),
          sweep_until_id:
            item.sweep_until_id === undefined ? null : (item.sweep_until_id.N ?? `S:${r.sweep_until_id}`),
          sweep_next_token: item.sweep_next_token?.S ?? null,
        };
        // The checkpoint's attributes (the run takes and gives back the lease, which lives on the same item).
        const snapshot = async () => {
          const out = await client.send(
            new GetItemCommand({ TableName: table, Key: { stream: { S: stream } }, ConsistentRead: true }),
          );
          return Object.fromEntries(Object.entries(out.Item ?? {}).filter(([k]) => !k.startsWith('lease_')));
        };
        await expectDetectedAndUntouched(dynamo, stream, stored, snapshot);
      }),
      {
        numRuns: runs(100, 3),
        // Inverted bounds (since_id above the sweep's newest_id), stored as proper numbers.
        examples: [
          [
            {
              since_id: '5000',
              sweep_newest_id: '3000',
              sweep_until_id: null,
              sweep_next_token: null,
              schema_version: 2,
            },
            false,
          ],
        ],
      },
    );
    client.destroy();
  });

  it('DynamoDB: a legacy item (bare since_id string) is migrated and polled from', async () => {
    const client = db.client();
    emu.reset();
    const truth = emu.groundTruth({ endpoint: 'search_all', query: 'the' });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: truth.length }), async (k) => {
        const stream = `legacy-${++n}`;
        // since_id = the k-th newest matching post (or an id below all of them).
        const since = truth[k] ?? '1';
        await client.send(
          new PutItemCommand({ TableName: table, Item: { stream: { S: stream }, since_id: { S: since } } }),
        );
        const migrated = await dynamo.load(stream);
        expect(migrated?.sinceId).toBe(since);
        expect(migrated?.sweep).toBeNull();
        expect((await dynamo.load(stream))?.sinceId).toBe(since);
        const sink = new CollectingSink();
        const summary = await runExecution(
          engineDeps(emu, dynamo, sink),
          [archiveStream('the', stream)],
          fastOptions(),
        );
        expect(summary.caught_up).toBe(true);
        expect(sink.ids).toEqual(truth.slice(0, k));
      }),
      { numRuns: runs(100, 2) },
    );
    client.destroy();
  });

  it('a first run starts where configured (since_id, lookback, now)', async () => {
    emu.reset();
    // A query of its own per stream ("the" OR a word no post has), to pick its requests out of the log.
    const queryOf = (name: string) => `the OR zq${name.replace(/\W/g, '')}`;
    const recentSpec = (name: string, initial: InitialPosition) => ({
      ...archiveStream('the', name),
      source: { kind: 'search', query: queryOf(name), archive: false } as const,
      initial,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 60_000, max: 6 * 86_400_000 }).map((ms) => ({ kind: 'lookback', ms }) as const),
          fc
            .integer({ min: 60_000, max: 6 * 86_400_000 })
            .map((ago) => ({ kind: 'since_id', id: timeMsToId(NOW - ago) }) as const),
          fc.constant({ kind: 'now' } as const),
        ),
        fc.integer({ min: 1, max: 30 }),
        async (initial, newPosts) => {
          const stream = `init-${++n}`;
          const sink = new CollectingSink();
          const before = emu.requestLog().length;
          const startedAt = emu.now();
          await runExecution(
            engineDeps(emu, sqlite, sink, { clock: new ManualClock(emu.now()) }),
            [recentSpec(stream, initial)],
            fastOptions({ maxTweets: 1_000_000 }),
          );
          const requests = emu
            .requestLog()
            .slice(before)
            .filter((r) => r.url.includes(`zq${stream.replace(/\W/g, '')}`));
          if (initial.kind === 'now') {
            // Starts at now: any request asks only for posts after now (nothing old is read or billed);
            // the checkpoint marks now, and later posts are delivered.
            for (const r of requests)
              expect(new URL(r.url, 'http://x').searchParams.get('since_id')).toBe(timeMsToId(startedAt));
            expect(sink.ids).toEqual([]);
            const saved = await sqlite.load(stream);
            expect(saved).not.toBeNull();
            emu.advanceClock(1_000);
            const published = emu.publish({
              posts: Array.from({ length: newPosts }, (_, i) => ({ text: `the fresh post ${n} ${i}` })),
            });
            emu.advanceClock(1_000);
            await runExecution(
              engineDeps(emu, sqlite, sink, { clock: new ManualClock(emu.now()) }),
              [recentSpec(stream, initial)],
              fastOptions({ maxTweets: 1_000_000 }),
            );
            expect(new Set(sink.ids)).toEqual(new Set(published.map((p) => p.id)));
            return;
          }
          const expected = initial.kind === 'since_id' ? initial.id : timeMsToId(emu.now() - initial.ms);
          const first = new URL(requests[0]!.url, 'http://x');
          expect(first.searchParams.get('since_id')).toBe(expected);
          const truth = emu.groundTruth({ endpoint: 'search_recent', query: 'the', since_id: expected });
          expect(new Set(sink.ids)).toEqual(new Set(truth));
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
