import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRunHistory } from '../../src/adapters/stores/run-history-sqlite.js';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { main } from '../../src/entrypoints/cli.js';
import { run } from '../contract/run-history.contract.js';

function capture(isTTY = false) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  return { stream, text: () => text };
}

async function cli(args: string[], isTTY = false) {
  const out = capture(isTTY);
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('twitter-poller report: bad input', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing store says so and exits 2, creating nothing', async () => {
    const path = join(dir, 'nope.db');
    const result = await cli(['report', '--store', `sqlite:${path}`, '--out', join(dir, 'r.html')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid --store: ${path} does not exist`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('a file that is not a database says so and exits 2', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'not a database, just some text that is long enough to have a header\n'.repeat(20));
    const result = await cli(['report', '--store', `sqlite:${path}`, '--out', join(dir, 'r.html')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid --store: cannot open ${path}: file is not a database`);
  });

  it('a store without runs says so and exits 2', async () => {
    const path = join(dir, 'state.db');
    await new SqliteCheckpointStore({ path }).close();
    const result = await cli(['report', '--store', `sqlite:${path}`, '--out', join(dir, 'r.html')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no run history yet');
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('runs only older than --since: says so and exits 2', async () => {
    const path = join(dir, 'state.db');
    const history = new SqliteRunHistory({ path });
    await history.record({ ...run(0), started_at: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    await history.close();
    const result = await cli([
      'report',
      '--store',
      `sqlite:${path}`,
      '--since',
      '30d',
      '--out',
      join(dir, 'r.html'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --since: ');
    expect(result.stderr).toContain('has no run in that period');
  });

  it.each([['abc'], ['30'], ['0d'], ['-5d'], ['1y']])(
    'an unparsable --since %s exits 2 naming the flag',
    async (since) => {
      const result = await cli(['report', `--since=${since}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^twitter-poller: invalid --since: must be a duration like 30d/);
      expect(result.stderr).toContain('Run "twitter-poller report --help" for usage.');
    },
  );

  it('writes the report and prints where', async () => {
    const path = join(dir, 'state.db');
    const history = new SqliteRunHistory({ path });
    const now = Date.now();
    await history.record({ ...run(0), started_at: new Date(now - 3_600_000).toISOString() });
    await history.close();
    const out = join(dir, 'sub', 'r.html');
    const result = await cli(['report', '--store', `sqlite:${path}`, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^report written: .*r\.html \(1 run, 1 stream, [0-9]+ bytes\)\n$/);
    expect(await readFile(out, 'utf8')).toContain('data-chart="posts"');
  });
});

describe('twitter-poller status with the run history', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-status-history-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows each stream`s last outcome, lag and oldest owed beside its checkpoint', async () => {
    const path = join(dir, 'state.db');
    const store = new SqliteCheckpointStore({ path });
    const lease = (await store.acquireLease('a', 'exec-1', 60_000, 0))!;
    await store.save(
      {
        stream: 'a',
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: '1578516068309794817',
        sweep: null,
        updatedAt: '2027-01-15T08:00:00.000Z',
        writer: 'exec-1',
      },
      lease,
    );
    await store.close();
    const history = new SqliteRunHistory({ path });
    await history.record(
      run(0, [
        {
          stream: 'a',
          outcome: 'deadline',
          posts: 3,
          requests: 1,
          rate_limited: 0,
          waits: 0,
          gaps: 0,
          gap_seconds: 0,
          freshness_lag_seconds: 125,
          owed_age_seconds: 7200,
          duration_ms: 10,
        },
      ]),
    );
    await history.close();

    const json = await cli(['status', '--store', `sqlite:${path}`]);
    const table = await cli(['status', '--store', `sqlite:${path}`], true);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).streams[0].last_run).toMatchObject({
      outcome: 'deadline',
      freshness_lag_seconds: 125,
      owed_age_seconds: 7200,
      spend_today_usd: null,
    });
    const [header, row] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/LAST OUTCOME +LAG +OLDEST OWED +SPEND TODAY/);
    expect(row).toMatch(/ deadline +2m +2\.0h +- /);
  });
});
