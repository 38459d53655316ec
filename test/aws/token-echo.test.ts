/**
 * No exit carries the token: a fake upstream on loopback echoes the Authorization header (as a
 * debugging or egress proxy, or a wrong X_API_BASE_URL, does) in 400, 401, 403, 5xx bodies. Every
 * output of the CLI (stdout, stderr, the JSONL payload file) and of the bundled Lambda handler (its
 * returned summary, its thrown error, its logs and EMF metrics, the payloads it sends) is searched
 * for the sentinel token.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, runCli } from '../cli/run-cli.js';
import { type DynaliteHandle, startDynalite } from '../support/aws/dynalite.js';
import { type FakeLambda, startFakeLambda } from '../support/aws/fake-lambda.js';
import { awsTestEnv } from '../support/aws/lambda-harness.js';

const run = promisify(execFile);
const SENTINEL = 'AAAAechoed-sentinel-token%3Dq9Zx7';
const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
const context = {
  functionName: 'twitter-poller', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:twitter-poller',
  awsRequestId: 'req-echo', logGroupName: '/aws/lambda/twitter-poller', logStreamName: 's',
  getRemainingTimeInMillis: () => 10000,
};
try {
  const summary = await handler({}, context);
  process.stdout.write('SUMMARY ' + JSON.stringify(summary) + '\\n');
} catch (error) {
  process.stderr.write('FAILED ' + error.name + ': ' + error.message + ' ' + JSON.stringify(error) + '\\n');
  process.exitCode = 1;
}`;

/** The echoing upstream: every request answered with `status` and a body quoting its Authorization header. */
let status = 403;
let upstream: Server;
let upstreamUrl: string;
let dir: string;
let bundle: string;
let db: DynaliteHandle;
let parser: FakeLambda;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const html = status >= 500 && status % 2 === 0;
    res.writeHead(status, { 'content-type': html ? 'text/html' : 'application/problem+json' });
    res.end(
      html
        ? `<html><title>Proxy error</title><body>upstream refused; you sent ${auth}</body></html>`
        : JSON.stringify({
            title: 'Echo',
            detail: `Authorization: ${auth}; token=${auth.slice(7)}`,
            errors: [{ message: `header ${auth}` }],
          }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'tp-token-echo-'));
  await build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    entryPoints: { lambda: 'src/entrypoints/lambda.ts' },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    minify: true,
    external: ['better-sqlite3'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
  });
  bundle = join(dir, 'lambda.mjs');
  [db, parser] = await Promise.all([startDynalite(), startFakeLambda(), cliBundle()]);
});
afterAll(async () => {
  await new Promise((resolve) => upstream?.close(resolve));
  await Promise.all([db?.close(), parser?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const STATUSES = [400, 401, 403, 500, 502, 503];

describe('a fake upstream echoing the Authorization header', () => {
  it.each(STATUSES)(
    'CLI: HTTP %i leaves the token out of stdout, stderr and the payload file',
    async (code) => {
      status = code;
      const cwd = await mkdtemp(join(dir, 'cli-'));
      const result = await runCli(
        [
          'poll',
          '--query',
          'echo',
          '--store',
          'sqlite:state.db',
          '--sink',
          'jsonl:posts.jsonl',
          '--min-interval',
          '0',
          '--retry-base',
          '1',
          '--retry-max',
          '5',
          '--log-level',
          'debug',
        ],
        { cwd, env: { X_BEARER_TOKEN: SENTINEL, X_API_BASE_URL: upstreamUrl } },
      );
      expect(result.code).toBe(1);
      // The message did reach the output (so the test would see a leak), minus the token.
      if (code !== 401) expect(result.stderr).toContain('Bearer [REDACTED]');
      const payload = existsSync(join(cwd, 'posts.jsonl'))
        ? await readFile(join(cwd, 'posts.jsonl'), 'utf8')
        : '';
      for (const out of [result.stdout, result.stderr, payload]) {
        expect(out).not.toContain(SENTINEL);
        expect(out).not.toContain(SENTINEL.slice(4, 20));
      }
    },
  );

  it.each(STATUSES)(
    'bundled Lambda handler: HTTP %i leaves the token out of summary, error, logs, metrics',
    async (code) => {
      status = code;
      const before = parser.invocations.length;
      const env = {
        PATH: process.env.PATH ?? '',
        ...awsTestEnv({ dynamodb: db.endpoint, lambda: parser.url }),
        BUNDLE: bundle,
        CHECKPOINT_TABLE: await db.createTable(),
        X_BEARER_TOKEN: SENTINEL,
        STREAMS: JSON.stringify([{ name: 'echo', query: 'echo' }]),
        SINK: 'lambda:parser',
        X_API_BASE_URL: upstreamUrl,
        MIN_INTERVAL_MS: '0',
        SAFETY_MARGIN_MS: '1000',
        LOG_LEVEL: 'debug',
      };
      const { output } = await run(process.execPath, ['--input-type=module', '-e', RUNNER], {
        env,
        cwd: dir,
      }).then(
        ({ stdout, stderr }) => ({ output: stdout + stderr }),
        (e: { stdout: string; stderr: string }) => ({ output: e.stdout + e.stderr }),
      );
      // Every outcome was printed: the summary or the thrown error, the logs and the EMF metrics.
      expect(output).toMatch(/SUMMARY |FAILED /);
      expect(output).toContain('"Namespace":"TwitterPoller"');
      if (code < 500 && code !== 401) expect(output, output).toContain('Bearer [REDACTED]');
      const payloads = JSON.stringify(parser.invocations.slice(before));
      for (const out of [output, payloads]) {
        expect(out).not.toContain(SENTINEL);
        expect(out).not.toContain(SENTINEL.slice(4, 20));
      }
    },
  );
});
