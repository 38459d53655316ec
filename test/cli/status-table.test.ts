import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { runStatus } from '../../src/entrypoints/status-command.js';

describe('twitter-poller status on a terminal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-status-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table with the sweep still owed', async () => {
    // Prepare
    const path = join(dir, 'state.db');
    const store = new SqliteCheckpointStore({ path });
    const lease = (await store.acquireLease('search:news', 'exec-1', 60_000, 0))!;
    await store.save(
      {
        stream: 'search:news',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: '1578516068309794817',
        sweep: { newestId: '1578516068309799999', untilId: '1578516068309795555', nextToken: 't1' },
        updatedAt: '2027-01-15T08:00:00.000Z',
        writer: 'exec-1',
      },
      lease,
    );
    await store.close();
    const out = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    out.setEncoding('utf8').on('data', (c: string) => {
      text += c;
    });

    // Act
    const code = await runStatus(
      { command: 'status', store: { kind: 'sqlite', path }, json: false },
      { stdout: out },
    );

    // Assess
    expect(code).toBe(0);
    const [header, row] = text.trimEnd().split('\n');
    expect(header).toMatch(
      /^STREAM +SINCE_ID +PENDING SWEEP \(still owed\) +LAST OUTCOME +LAG +OLDEST OWED +SPEND TODAY +UPDATED_AT +WRITER$/,
    );
    // No run recorded yet: the history columns show '-'.
    expect(row).toMatch(
      /^search:news +1578516068309794817 +1578516068309794817 < id < 1578516068309795555 +- +- +- +- +2027-01-15T08:00:00.000Z +exec-1$/,
    );
  });
});
