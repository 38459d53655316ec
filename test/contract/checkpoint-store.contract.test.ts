import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import {
  availableSqliteDrivers,
  openSqlite,
  type SqliteDriverName,
} from '../../src/adapters/stores/sqlite-driver.js';
import { describeCheckpointRules, type RawCheckpoint, type RawValue } from './checkpoint-rules.contract.js';
import { describeCheckpointStoreContract } from './checkpoint-store.contract.js';

/** A store on a real file, and a second connection to write its table raw. */
async function sqliteFixture(driver: SqliteDriverName) {
  const dir = await mkdtemp(join(tmpdir(), 'tp-sqlite-'));
  const path = join(dir, 'nested', 'state.db');
  const store = new SqliteCheckpointStore({ path, driver });
  const columns = [
    'since_id',
    'sweep_newest_id',
    'sweep_until_id',
    'sweep_next_token',
    'user_id',
    'recent_ids',
    'fair_lag',
    'schema_version',
    'updated_at',
    'writer',
  ] as const;
  const sqlValue = (value: RawValue | undefined): unknown =>
    value === undefined
      ? null
      : Array.isArray(value)
        ? JSON.stringify(value)
        : value instanceof Uint8Array
          ? Buffer.from(value)
          : value;
  return {
    store,
    async writeRaw(stream: string, fields: RawCheckpoint) {
      const { db } = openSqlite(path, { driver });
      try {
        db.prepare(
          `INSERT OR REPLACE INTO checkpoints (stream, ${columns.join(', ')}) VALUES (?${', ?'.repeat(columns.length)})`,
        ).run(stream, ...columns.map((c) => sqlValue(fields[c])));
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Every SQLite library that loads here: better-sqlite3 on Node 20; node:sqlite too on Node >= 22.13
// (.ci/run's Node 22 step, where better-sqlite3 built for Node 20 does not load, runs node:sqlite alone).
for (const driver of availableSqliteDrivers()) {
  describeCheckpointStoreContract(`sqlite on ${driver} (real file)`, () => sqliteFixture(driver));
  // NOT NULL columns: a SQLite row cannot leave these out (the "not text" rules still apply).
  describeCheckpointRules(`sqlite on ${driver} (real file)`, () => sqliteFixture(driver), {
    alwaysPresent: ['schema_version', 'since_id', 'updated_at', 'writer'],
  });
}

/** The memory store; its raw items are the port's shape (a sweep object when any sweep field is set). */
async function memoryFixture() {
  const store = new MemoryCheckpointStore();
  return {
    store,
    async writeRaw(stream: string, fields: RawCheckpoint) {
      const f = fields;
      const hasSweep = [f.sweep_newest_id, f.sweep_until_id, f.sweep_next_token].some((v) => v !== undefined);
      const item = {
        stream,
        schemaVersion: f.schema_version,
        sinceId: f.since_id,
        sweep: hasSweep
          ? { newestId: f.sweep_newest_id, untilId: f.sweep_until_id, nextToken: f.sweep_next_token }
          : null,
        userId: f.user_id,
        recentIds: f.recent_ids,
        fairLag: f.fair_lag,
        updatedAt: f.updated_at,
        writer: f.writer,
      };
      // A field left out is absent from the item, not present as undefined.
      store.putRaw(stream, Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)));
    },
    async writeLegacy(stream: string, sinceId: string) {
      store.putRaw(stream, sinceId);
    },
    cleanup: () => store.close(),
  };
}

describeCheckpointStoreContract('memory', memoryFixture);
describeCheckpointRules('memory', memoryFixture, { legacy: true });
