/**
 * The progress line on a real terminal: the CLI runs under a pseudo-terminal made by util-linux
 * `script`, so stderr is a TTY exactly as for a user. The line is drawn there by default (the
 * control case, which keeps the others honest) and absent under TERM=dumb, under CI=true and with
 * --quiet.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle } from './run-cli.js';

const PROGRESS = '\r\x1b[Kposts ';

/** `script -qec <command> /dev/null`: runs `command` on a new pty, its output on our stdout. */
function underPty(args: string[], env: Record<string, string>, cwd: string) {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, ...args].map(quote).join(' ');
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the progress line on a terminal', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let cli: string;
  beforeAll(async () => {
    cli = await cliBundle();
    dir = await mkdtemp(join(tmpdir(), 'tp-pty-'));
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"meta":{"result_count":0}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const poll = (extra: string[], env: Record<string, string>) =>
    underPty(
      [
        cli,
        'poll',
        '--query',
        'x',
        '--store',
        'memory:',
        '--api-base',
        base,
        '--sink',
        'jsonl:out.jsonl',
        ...extra,
      ],
      { X_BEARER_TOKEN: 'pty-token', ...env },
      dir,
    );

  it('is drawn on a terminal by default', async () => {
    const result = await poll([], { TERM: 'xterm' });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(PROGRESS);
  });

  it.each([
    ['TERM=dumb', [], { TERM: 'dumb' }],
    ['CI=true', [], { TERM: 'xterm', CI: 'true' }],
    ['--quiet', ['--quiet'], { TERM: 'xterm' }],
  ])('is absent under %s, the JSON log lines unchanged', async (_name, extra, env) => {
    const result = await poll(extra, env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('"event":"execution_end"');
    expect(result.output).not.toContain(PROGRESS);
    expect(result.output).not.toContain('\x1b[K');
  });
});
