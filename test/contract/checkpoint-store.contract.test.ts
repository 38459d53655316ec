import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { describeCheckpointStoreContract } from './checkpoint-store.contract.js';

describeCheckpointStoreContract('sqlite (real file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tp-sqlite-'));
  const store = new SqliteCheckpointStore({ path: join(dir, 'nested', 'state.db') });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeCheckpointStoreContract('memory', async () => {
  const store = new MemoryCheckpointStore();
  return { store, cleanup: () => store.close() };
});
