/**
 * Property 11, credential handling: for any bearer token and any error path (401 from the emulator,
 * hostile servers echoing the token in problem bodies, HTML 5xx and non-JSON 200s, network failures,
 * bad flags, a store that cannot be opened), the token never appears in anything the poller prints:
 * JSON logs, error messages, the summary, stdout/stderr of the CLI (in process, then as a child).
 */
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';
import { main } from '../../src/entrypoints/cli.js';
import { cliBundle, runCli } from '../cli/run-cli.js';
import { type ScriptedServer, startScriptedServer } from './scripted-server.js';
import { emptyFigures, reportScenario, runs, startTestEmulator, tempDir } from './support.js';

const token = fc.stringMatching(/^[A-Za-z0-9%_-]{20,80}$/);
type Path =
  | 'unauthorized'
  | 'echo-400'
  | 'echo-403'
  | 'echo-html-503'
  | 'echo-200-not-json'
  | 'echo-200-errors'
  | 'echo-429'
  | 'network'
  | 'bad-flag'
  | 'bad-store'
  | 'stream-fails';
const PATHS: Path[] = [
  'unauthorized',
  'echo-400',
  'echo-403',
  'echo-html-503',
  'echo-200-not-json',
  'echo-200-errors',
  'echo-429',
  'network',
  'bad-flag',
  'bad-store',
  'stream-fails',
];

const RETRYABLE = new Set<Path>(['echo-html-503', 'echo-200-not-json', 'network']);

function sinkStream(chunks: string[]) {
  return new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
}

describe('property 11: credential handling', () => {
  let emu: RunningEmulator;
  let hostile: ScriptedServer;
  let dir: ReturnType<typeof tempDir>;
  const figures = emptyFigures();
  beforeAll(async () => {
    emu = await startTestEmulator({ posts: 50, tokens: ['the-only-accepted-token-xyz'] });
    hostile = await startScriptedServer();
    dir = tempDir('tp-prop11-');
    writeFileSync(`${dir.dir}/a-file`, 'not a directory');
  });
  afterAll(async () => {
    reportScenario('property-11 credential handling (CLI in process + child)', figures);
    await hostile.close();
    await emu.close();
    dir.remove();
  });

  function setup(path: Path, secret: string): { args: string[]; env: Record<string, string> } {
    const echo = (status: number, body: (auth: string) => string, ctype = 'application/json') => {
      hostile.handler = (_url, _i, req) => ({
        status,
        headers: { 'content-type': ctype },
        body: body(req.headers.authorization ?? ''),
      });
    };
    let base = hostile.url;
    switch (path) {
      case 'unauthorized':
        base = emu.url;
        break;
      case 'echo-400':
        echo(400, (a) =>
          JSON.stringify({
            title: 'Invalid Request',
            detail: `bad header ${a}`,
            type: 'https://api.twitter.com/2/problems/invalid-request',
            errors: [{ message: a }],
          }),
        );
        break;
      case 'echo-403':
        echo(403, (a) =>
          JSON.stringify({
            title: 'Forbidden',
            detail: `token ${a.slice(7)} is forbidden`,
            reason: a,
            type: 'https://api.twitter.com/2/problems/client-forbidden',
          }),
        );
        break;
      case 'echo-html-503':
        echo(503, (a) => `<html><body>proxy error for ${a}</body></html>`, 'text/html');
        break;
      case 'echo-200-not-json':
        echo(200, (a) => `{"data": [ ${a}`);
        break;
      case 'echo-200-errors':
        echo(200, (a) =>
          JSON.stringify({
            errors: [
              {
                title: 'Not Found Error',
                detail: a.slice(7),
                type: 'https://api.twitter.com/2/problems/resource-not-found',
              },
            ],
          }),
        );
        break;
      case 'echo-429':
        echo(429, (a) =>
          JSON.stringify({
            title: 'UsageCapExceeded',
            detail: `cap for ${a.slice(7)}`,
            type: 'https://api.twitter.com/2/problems/usage-capped',
          }),
        );
        break;
      case 'network':
        base = 'http://127.0.0.1:9';
        break;
      case 'stream-fails':
        echo(200, (a) =>
          JSON.stringify({ data: [{ id: 'not-a-number', text: a.slice(7) }], meta: { result_count: 1 } }),
        );
        break;
      default:
        break;
    }
    const args = [
      'poll',
      '--query',
      'the',
      '--initial',
      '3d',
      '--min-interval',
      '0',
      '--time-budget',
      '1',
      '--store',
      'memory:',
      '--sink',
      'jsonl:-',
    ];
    if (path === 'bad-flag') args.push('--max-tweets', secret);
    // A directory that cannot exist (its parent is a file): the store cannot be opened.
    if (path === 'bad-store')
      args.splice(args.indexOf('memory:'), 1, `sqlite:${dir.dir}/a-file/${secret}/state.db`);
    if (path === 'echo-200-errors') args.splice(1, 2, '--user', 'nobody_here');
    return { args, env: { X_BEARER_TOKEN: secret, X_API_BASE_URL: base } };
  }

  it('never prints the token on any error path (CLI in process)', async () => {
    await fc.assert(
      fc.asyncProperty(
        token,
        fc.oneof(...PATHS.map((p) => ({ arbitrary: fc.constant(p), weight: RETRYABLE.has(p) ? 1 : 8 }))),
        async (secret, path) => {
          const { args, env } = setup(path, secret);
          const out: string[] = [];
          const err: string[] = [];
          let thrown = '';
          let code: number | undefined;
          try {
            code = await main(args, { stdout: sinkStream(out), stderr: sinkStream(err), env });
          } catch (error) {
            thrown =
              error instanceof Error
                ? `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`
                : String(error);
          }
          figures.runs++;
          figures.faults++;
          const all = `${out.join('')}\n${err.join('')}\n${thrown}`;
          const leaked = all.includes(secret) || all.includes(encodeURIComponent(secret));
          if (leaked) figures.leaks++;
          expect(leaked, all).toBe(false);
          // The paths are errors, and they are reported as such (not silently swallowed).
          // Only the bad flag is a usage error; the non-retryable paths really ran and failed against a
          // server; the retryable ones (5xx, not JSON, network) retry until the 1 s budget stops them.
          if (path === 'bad-flag') expect(code).toBe(2);
          else if (!RETRYABLE.has(path) && path !== 'bad-store') expect(code, all).toBe(1);
          expect(err.join('').length).toBeGreaterThan(0);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it('never prints the token from the CLI child process either', { timeout: 120_000 }, async () => {
    await cliBundle();
    const secrets = ['child-secret-token-AAAA1111bbbb', 'Z%2Fchild_secret-token_9999-zzzz'];
    for (const secret of secrets) {
      for (const path of [
        'unauthorized',
        'echo-400',
        'echo-html-503',
        'network',
        'bad-flag',
        'bad-store',
      ] as Path[]) {
        const { args, env } = setup(path, secret);
        const result = await runCli(args, { cwd: dir.dir, env, timeoutMs: 30_000 });
        figures.runs++;
        const all = `${result.stdout}\n${result.stderr}`;
        const leaked = all.includes(secret) || all.includes(encodeURIComponent(secret));
        if (leaked) figures.leaks++;
        expect(leaked, all).toBe(false);
        if (!RETRYABLE.has(path)) expect(result.code).not.toBe(0);
      }
    }
  });
});
