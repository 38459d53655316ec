/**
 * The bin launcher (dist/twitter-poller.js): it runs the CLI under the memory caps, on Node 20 as a
 * child process (SIGTERM passed on, the exit code passed back) and on Node 22 by replacing itself
 * (process.execve: same pid). Linux: the command line is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_CAPS } from '../../bin/memory-caps.js';
import { collect } from '../cli/run-cli.js';
import { node22 } from './node22.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'twitter-poller.js');

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
const children = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((x) => x !== '')
    .map(Number);

describe('the twitter-poller bin launcher', () => {
  let server: Server;
  let base: string;
  let arrived: () => void = () => undefined;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error('dist/ is not built: run `npm run build` (npm test does) first');
    // Holds every request open: the poll waits on it until it is stopped.
    server = createServer(() => arrived());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Starts a poll through the bin and resolves once its request reached the server. */
  async function startPoll(node: string): Promise<ChildProcess> {
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const child = spawn(node, [BIN, 'poll', '--query', 'x', '--store', 'memory:', '--api-base', base], {
      env: { PATH: process.env.PATH ?? '', HOME: ROOT, X_BEARER_TOKEN: 'launcher-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await reached;
    return child;
  }

  it('on Node 20: runs the CLI as a child under the caps, passes SIGTERM on and exits 143', async () => {
    const launcher = await startPoll(process.execPath);
    const result = collect(launcher, 30_000);

    const [cli] = children(launcher.pid!);
    const args = cmdline(cli!);
    launcher.kill('SIGTERM');
    const { code, stderr } = await result;

    expect(args).toEqual(expect.arrayContaining([...MEMORY_CAPS, join(ROOT, 'dist', 'cli.js'), 'poll']));
    expect(code, stderr).toBe(143);
    expect(stderr).toContain('"event":"interrupted"');
  });

  it('on Node 22: replaces itself with node under the caps (same pid) and exits 143 on SIGTERM', async () => {
    const launcher = await startPoll(node22());
    const result = collect(launcher, 30_000);

    const args = cmdline(launcher.pid!);
    const kids = children(launcher.pid!);
    launcher.kill('SIGTERM');
    const { code, stderr } = await result;

    expect(args).toEqual(expect.arrayContaining([...MEMORY_CAPS, join(ROOT, 'dist', 'cli.js'), 'poll']));
    expect(kids).toEqual([]);
    expect(code, stderr).toBe(143);
  });

  it('passes a usage error exit code through (2)', async () => {
    const { code, stderr } = await collect(
      spawn(process.execPath, [BIN, 'poll'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/poll needs a source/);
  });
});
