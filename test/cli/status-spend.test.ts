import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSpendLedger } from '../../src/adapters/stores/sqlite-spend-ledger.js';
import { utcDay } from '../../src/core/spend.js';
import { runStatus } from '../../src/entrypoints/status-command.js';

function capture(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  out.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  return { out, text: () => text };
}

describe('twitter-poller status: spend and the credits flag', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-status-spend-'));
    path = join(dir, 'state.db');
    // Prepare: a store, today's reads of two streams, and a 402 recorded.
    const { SqliteCheckpointStore } = await import('../../src/adapters/stores/sqlite.js');
    await new SqliteCheckpointStore({ path }).close();
    const ledger = new SqliteSpendLedger({ path });
    const today = utcDay(Date.now());
    await ledger.recordRead('news', ['1', '2', '3'], today);
    await ledger.recordRead('sports', ['7'], today);
    await ledger.setCreditsDepleted('2027-01-15T08:00:00.000Z');
    await ledger.close();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the day and month bill per stream and the flag in JSON', async () => {
    const { out, text } = capture(false);
    const code = await runStatus(
      { command: 'status', store: { kind: 'sqlite', path }, json: true, pricePerPostUsd: 0.01 },
      { stdout: out },
    );
    expect(code).toBe(0);
    const { spend } = JSON.parse(text()) as { spend: Record<string, unknown> };
    expect(spend).toMatchObject({
      day: utcDay(Date.now()),
      price_per_post_usd: 0.01,
      posts_billed_today: 4,
      spend_usd_today: 0.04,
      posts_billed_month: 4,
      streams_today: [
        { stream: 'news', posts: 3, spend_usd: 0.03 },
        { stream: 'sports', posts: 1, spend_usd: 0.01 },
      ],
      credits_depleted_at: '2027-01-15T08:00:00.000Z',
    });
  });

  it('says on a terminal that the credits are depleted and must be topped up', async () => {
    const { out, text } = capture(true);
    await runStatus({ command: 'status', store: { kind: 'sqlite', path }, json: false }, { stdout: out });
    expect(text()).toMatch(/spend today \(\d{4}-\d{2}-\d{2} UTC\): 4 posts billed, \$0\.02/);
    expect(text()).toMatch(/credits: DEPLETED since 2027-01-15T08:00:00\.000Z .*top up the credits/);
  });
});

describe('twitter-poller status: read-only spend', () => {
  it('reads a store without spend tables as no spend, and creates none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-status-ro-'));
    try {
      const path = join(dir, 'state.db');
      const { SqliteCheckpointStore } = await import('../../src/adapters/stores/sqlite.js');
      await new SqliteCheckpointStore({ path }).close(); // a store from before the spend ledger
      const { out, text } = capture(false);
      await runStatus({ command: 'status', store: { kind: 'sqlite', path }, json: true }, { stdout: out });
      expect(JSON.parse(text()).spend).toMatchObject({ posts_billed_today: 0, credits_depleted_at: null });
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(path, { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'spend_%'").all();
      db.close();
      expect(tables).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
