import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySpendLedger } from '../../src/adapters/stores/memory-spend-ledger.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { SqliteSpendLedger } from '../../src/adapters/stores/sqlite-spend-ledger.js';
import { describeSpendLedgerContract } from './spend-ledger.contract.js';

describeSpendLedgerContract('sqlite (real file, two connections, beside the checkpoints)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tp-ledger-'));
  const path = join(dir, 'nested', 'state.db');
  const store = new SqliteCheckpointStore({ path });
  const ledger = new SqliteSpendLedger({ path });
  const other = new SqliteSpendLedger({ path });
  return {
    ledger,
    other,
    async cleanup() {
      await ledger.close();
      await other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeSpendLedgerContract('memory', async () => {
  const ledger = new MemorySpendLedger();
  return { ledger, cleanup: () => ledger.close() };
});
