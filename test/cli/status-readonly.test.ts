/**
 * `status` reads and never writes: a missing store is an error that creates nothing, and a real
 * store file keeps its bytes and mtime. Also where the default store lives and what a run says
 * about it (created, or the old ./.twitter-poller/state.db still in use).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { CHECKPOINT_SCHEMA_VERSION } from '../../src/core/ports/checkpoint-store.js';
import { main } from '../../src/entrypoints/cli.js';
import { cliBundle, runCli } from './run-cli.js';

async function storeWithOneCheckpoint(path: string): Promise<void> {
  const store = new SqliteCheckpointStore({ path });
  const lease = (await store.acquireLease('search:news', 'exec-1', 60_000, 0))!;
  await store.save(
    {
      stream: 'search:news',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      sinceId: '1578516068309794817',
      sweep: null,
      updatedAt: '2027-01-15T08:00:00.000Z',
      writer: 'exec-1',
    },
    lease,
  );
  await store.releaseLease(lease);
  await store.close();
}

/** Every file under `dir` with its bytes and mtime. */
function snapshot(dir: string, names: readonly string[]) {
  return names
    .filter((name) => existsSync(join(dir, name)))
    .map((name) => {
      const path = join(dir, name);
      return { name, mtimeMs: statSync(path).mtimeMs, bytes: readFileSync(path).toString('base64') };
    });
}

describe('twitter-poller status is read-only', () => {
  let dir: string;
  beforeAll(async () => {
    await cliBundle();
    dir = await mkdtemp(join(tmpdir(), 'tp-status-ro-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 on a missing store file and creates neither the file nor its directory', async () => {
    const result = await runCli(['status', '--store', 'sqlite:missing/state.db'], { cwd: dir });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid --store: missing\/state\.db does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('exits 2 when the default store does not exist yet, creating nothing in the state directory', async () => {
    const state = join(dir, 'xdg-empty');
    await mkdir(state);

    const result = await runCli(['status'], { cwd: dir, env: { XDG_STATE_HOME: state } });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(state, 'twitter-poller', 'state.db'));
    expect(await readdir(state)).toEqual([]);
  });

  it('leaves a real store file byte for byte and mtime as it was', async () => {
    // Prepare
    const sub = join(dir, 'real');
    await mkdir(sub);
    await storeWithOneCheckpoint(join(sub, 'state.db'));
    const files = ['state.db', 'state.db-wal'];
    const before = snapshot(sub, files);
    expect(before.map((f) => f.name)).toContain('state.db');

    // Act
    const result = await runCli(['status', '--store', 'sqlite:real/state.db', '--json'], { cwd: dir });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).streams.map((s: { stream: string }) => s.stream)).toEqual([
      'search:news',
    ]);
    expect(snapshot(sub, files)).toEqual(before);
  });

  it('reads a store a run has open (its WAL side files present) without changing any of its files', async () => {
    // Prepare: a writer keeps the file open, with a commit still in the WAL.
    const sub = join(dir, 'busy');
    await mkdir(sub);
    const path = join(sub, 'state.db');
    await storeWithOneCheckpoint(path);
    const writer = new SqliteCheckpointStore({ path });
    try {
      const lease = (await writer.acquireLease('search:more', 'exec-2', 60_000, 0))!;
      await writer.save(
        {
          stream: 'search:more',
          schemaVersion: CHECKPOINT_SCHEMA_VERSION,
          sinceId: '1578516068309794999',
          sweep: null,
          updatedAt: '2027-01-15T09:00:00.000Z',
          writer: 'exec-2',
        },
        lease,
      );
      const files = ['state.db', 'state.db-wal', 'state.db-shm'];
      const before = snapshot(sub, files);
      expect(before.map((f) => f.name)).toEqual(files);

      // Act
      const result = await runCli(['status', '--store', 'sqlite:busy/state.db', '--json'], { cwd: dir });

      // Assess
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).streams.map((s: { stream: string }) => s.stream)).toEqual([
        'search:more',
        'search:news',
      ]);
      expect(snapshot(sub, ['state.db', 'state.db-wal'])).toEqual(before.slice(0, 2));
    } finally {
      await writer.close();
    }
  });

  it('refuses a file that is not a checkpoint store, and leaves it alone', async () => {
    const sub = join(dir, 'other');
    await mkdir(sub);
    const path = join(sub, 'notes.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'not a database\n');

    const result = await runCli(['status', '--store', 'sqlite:other/notes.db'], { cwd: dir });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid --store/);
    expect(readFileSync(path, 'utf8')).toBe('not a database\n');
  });

  it('reads the old ./.twitter-poller/state.db when it exists, and says so', async () => {
    const cwd = join(dir, 'legacy');
    await mkdir(join(cwd, '.twitter-poller'), { recursive: true });
    await storeWithOneCheckpoint(join(cwd, '.twitter-poller', 'state.db'));

    const result = await runCli(['status', '--json'], {
      cwd,
      env: { XDG_STATE_HOME: join(dir, 'xdg-unused') },
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /using the checkpoint store .*\.twitter-poller\/state\.db found in the working directory/,
    );
    expect(JSON.parse(result.stdout).streams).toHaveLength(1);
    expect(existsSync(join(dir, 'xdg-unused'))).toBe(false);
  });
});

describe('twitter-poller poll and the default store', () => {
  let server: Server;
  let base: string;
  let state: string;
  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), 'tp-xdg-'));
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"meta":{"result_count":0}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(state, { recursive: true, force: true });
  });

  const poll = async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await main(['poll', '--query', 'x', '--api-base', base], {
      stdout: new PassThrough(),
      stderr,
      env: { X_BEARER_TOKEN: 'xdg-token', XDG_STATE_HOME: state },
    });
    return { code, stderr: err };
  };

  it('creates the store under $XDG_STATE_HOME/twitter-poller/ and says so once, with its path', async () => {
    const path = join(state, 'twitter-poller', 'state.db');

    const first = await poll();
    const second = await poll();

    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`twitter-poller: created a new checkpoint store at ${path}\n`);
    expect(existsSync(path)).toBe(true);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('created a new checkpoint store');
  });
});
