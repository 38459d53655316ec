/**
 * `twitter-poller migrate` against a DynamoDB table (dynalite on loopback), run as the CLI users run:
 * the dry run lists every item and what it becomes, --apply adopts, corrupt items exit 2 (naming the
 * attribute) unless --skip-corrupt, a missing table exits 2.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, runCli } from '../cli/run-cli.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { awsTestEnv } from '../support/aws/lambda-harness.js';

let db: DynaliteHandle;
let cwd: string;

beforeAll(async () => {
  [db, cwd] = await Promise.all([startDynalite(), mkdtemp(join(tmpdir(), 'tp-migrate-')), cliBundle()]).then(
    ([d, c]) => [d, c] as const,
  );
}, 120_000);
afterAll(async () => {
  await db?.close();
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

const migrate = (args: string[]) =>
  runCli(['migrate', ...args], { cwd, env: awsTestEnv({ dynamodb: db.endpoint }) });
const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A table as the old poller left it, with one item this poller already adopted and one corrupt. */
async function oldTable(key: string, legacy: string): Promise<string> {
  const table = await db.createTable(undefined, key);
  const client = db.client();
  const put = (item: Record<string, { S: string } | { N: string }>) =>
    client.send(new PutItemCommand({ TableName: table, Item: item }));
  await put({ [key]: { S: 'alpha' }, [legacy]: { S: '1000' } });
  await put({ [key]: { S: 'beta' }, [legacy]: { S: '2000' }, last_run: { S: 'x' } });
  await put({
    [key]: { S: 'gamma' },
    [legacy]: { S: '3000' },
    frontier_since_id: { N: '3000' },
    schema_version: { N: '2' },
    updated_at: { S: 'then' },
    writer: { S: 'w' },
  });
  client.destroy();
  return table;
}

async function item(table: string, key: string, stream: string) {
  const client = db.client();
  const out = await client.send(new GetItemCommand({ TableName: table, Key: { [key]: { S: stream } } }));
  client.destroy();
  return out.Item;
}

describe('twitter-poller migrate', () => {
  it('lists the plan without writing, then adopts with --apply', async () => {
    const table = await oldTable('feed', 'last_id');
    const flags = [
      '--store',
      `dynamodb:${table}`,
      '--dynamodb-key',
      'feed',
      '--legacy-since-id-attribute',
      'last_id',
    ];
    const dry = await migrate(flags);
    expect(dry.code, dry.stderr).toBe(0);
    expect(jsonLines(dry.stdout)).toEqual([
      { stream: 'alpha', action: 'adopt', from: 'legacy_string', since_id: '1000', applied: false },
      { stream: 'beta', action: 'adopt', from: 'legacy_string', since_id: '2000', applied: false },
      { stream: 'gamma', action: 'current', since_id: '3000', applied: false },
      { summary: { adopt: 2, current: 1, new: 0, corrupt: 0 }, applied: false, table },
    ]);
    expect(dry.stderr).toContain('dry run');
    expect((await item(table, 'feed', 'alpha'))?.frontier_since_id).toBeUndefined();

    const applied = await migrate([...flags, '--apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(
      jsonLines(applied.stdout)
        .filter((l) => 'action' in l && l.applied === true)
        .map((l) => l.stream),
    ).toEqual(['alpha', 'beta']);
    const alpha = await item(table, 'feed', 'alpha');
    expect(alpha).toMatchObject({ last_id: { S: '1000' }, frontier_since_id: { N: '1000' } });
    expect((await item(table, 'feed', 'beta'))?.last_run).toEqual({ S: 'x' });
    const again = await migrate(flags);
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({ summary: { adopt: 0, current: 3 } });
  });

  it('exits 2 on corrupt items, naming the missing attribute, and writes nothing unless --skip-corrupt', async () => {
    const table = await oldTable('stream', 'since_id');
    const client = db.client();
    await client.send(
      new PutItemCommand({ TableName: table, Item: { stream: { S: 'delta' }, last_run: { S: 'x' } } }),
    );
    client.destroy();
    const refused = await migrate(['--store', `dynamodb:${table}`, '--apply']);
    expect(refused.code).toBe(2);
    const delta = jsonLines(refused.stdout).find((l) => l.stream === 'delta');
    expect(delta).toMatchObject({ action: 'corrupt' });
    expect(String(delta?.reason)).toContain('"since_id"');
    expect(refused.stderr).toContain('nothing was written');
    expect((await item(table, 'stream', 'alpha'))?.frontier_since_id).toBeUndefined();

    const skipped = await migrate(['--store', `dynamodb:${table}`, '--apply', '--skip-corrupt']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect((await item(table, 'stream', 'alpha'))?.frontier_since_id).toEqual({ N: '1000' });
    expect(await item(table, 'stream', 'delta')).toEqual({ stream: { S: 'delta' }, last_run: { S: 'x' } });
  });

  it("reports every item by name when the configured key attribute is not the table's", async () => {
    const table = await oldTable('feed', 'since_id');
    const result = await migrate(['--store', `dynamodb:${table}`]);
    expect(result.code).toBe(2);
    const lines = jsonLines(result.stdout).filter((l) => 'action' in l);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({ stream: null, action: 'corrupt' });
      expect(String(line.reason)).toContain('lacks the key attribute "stream"');
      expect(String(line.reason)).toContain('feed');
    }
  });

  it.each([
    ['a missing table', ['--store', 'dynamodb:no-such-table'], /table no-such-table does not exist/],
    [
      'a store that is not DynamoDB',
      ['--store', 'sqlite:x.db'],
      /invalid --store: migrate adopts a DynamoDB table/,
    ],
    ['no store', [], /invalid --store: migrate needs --store dynamodb:<table>/],
    [
      'a legacy attribute equal to the key',
      ['--store', 'dynamodb:t-abc', '--legacy-since-id-attribute', 'stream'],
      /invalid --legacy-since-id-attribute: must differ from the key attribute "stream"/,
    ],
    [
      'an attribute the poller writes itself',
      ['--store', 'dynamodb:t-abc', '--dynamodb-key', 'lease_owner'],
      /invalid --dynamodb-key: "lease_owner" is an attribute this poller writes itself/,
    ],
  ])('exits 2 for %s, naming the setting', async (_label, args, message) => {
    const result = await migrate(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
