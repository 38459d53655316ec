import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { availableSqliteDrivers } from '../../src/adapters/stores/sqlite-driver.js';
import { describeCheckpointStoreContract } from './checkpoint-store.contract.js';

// Every SQLite library that loads here: better-sqlite3 on Node 20; node:sqlite too on Node >= 22.13
// (.ci/run's Node 22 step, where better-sqlite3 built for Node 20 does not load, runs node:sqlite alone).
for (const driver of availableSqliteDrivers()) {
  describeCheckpointStoreContract(`sqlite on ${driver} (real file)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-sqlite-'));
    const store = new SqliteCheckpointStore({ path: join(dir, 'nested', 'state.db'), driver });
    return {
      store,
      async cleanup() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

describeCheckpointStoreContract('memory', async () => {
  const store = new MemoryCheckpointStore();
  return { store, cleanup: () => store.close() };
});
