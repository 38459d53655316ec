/**
 * Transport rules, end to end: the bearer token never goes out over plain http to a non-loopback
 * host (and nothing is even dialled), loopback is allowed, and HTTPS_PROXY carries the requests
 * through a CONNECT tunnel. The proxy test runs a real TLS endpoint (a self-signed certificate for
 * api.x.test made with openssl, trusted through NODE_EXTRA_CA_CERTS) in front of the emulator and
 * a CONNECT proxy, all on 127.0.0.1; `api.x.test` is never resolved: only the proxy sees the name.
 */
import { execFileSync } from 'node:child_process';
import dns from 'node:dns';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { timeMsToId } from '../../src/core/ids.js';
import { main } from '../../src/entrypoints/cli.js';
import { cliBundle, logEvents, readIds, runCli } from './run-cli.js';

const TOKEN = 'transport-test-token-93c1';

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/** Runs the CLI in this process with captured output. */
async function runInProcess(argv: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await main(argv, { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}

describe('the bearer token and plain http', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses plain http to a non-loopback host with exit 2, before dialling or resolving anything', async () => {
    // Prepare: watch every TCP connect and DNS lookup this process makes (they still run for real).
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const lookup = vi.spyOn(dns, 'lookup');

    // Act
    const result = await runInProcess(
      ['poll', '--query', 'x', '--store', 'memory:', '--api-base', 'http://api.example.com:8080'],
      { X_BEARER_TOKEN: TOKEN },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to send the bearer token over plain HTTP to api.example.com');
    expect(result.stderr).not.toContain(TOKEN);
    expect(connect).not.toHaveBeenCalled();
    expect(lookup).not.toHaveBeenCalled();
  });

  describe('against a loopback server', () => {
    let server: Server;
    let port: number;
    const seen: IncomingHttpHeaders[] = [];
    beforeAll(async () => {
      server = createHttpServer((req, res) => {
        seen.push(req.headers);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"meta":{"result_count":0}}');
      });
      port = await listen(server);
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it.each(['127.0.0.1', 'localhost'])(
      'polls http://%s with the token and a User-Agent naming the package version',
      async (host) => {
        // Prepare
        const before = seen.length;
        const connect = vi.spyOn(net.Socket.prototype, 'connect');

        // Act
        const result = await runInProcess(
          ['poll', '--query', 'x', '--store', 'memory:', '--api-base', `http://${host}:${port}`],
          { X_BEARER_TOKEN: TOKEN },
        );

        // Assess: the watch above sees real dials, so the refusal test's "not called" can fail.
        expect(result.code, result.stderr).toBe(0);
        expect(connect).toHaveBeenCalled();
        const request = seen[before];
        expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
        expect(request?.['user-agent']).toBe(`twitter-poller/${pkg.version}`);
      },
    );

    it('sends plain http to a non-loopback name only with --allow-insecure-http', async () => {
      // `localhost.` style tricks aside, the flag is the one way past the rule: here the name
      // resolves to loopback only because the lookup is pointed there (no real DNS query).
      vi.spyOn(dns, 'lookup').mockImplementation(((
        _host: string,
        options: unknown,
        callback?: (...args: unknown[]) => void,
      ) => {
        const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
        const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
        if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      }) as typeof dns.lookup);
      const before = seen.length;

      const result = await runInProcess(
        [
          'poll',
          '--query',
          'x',
          '--store',
          'memory:',
          '--api-base',
          `http://poller-test.example:${port}`,
          '--allow-insecure-http',
        ],
        { X_BEARER_TOKEN: TOKEN },
      );

      expect(result.code, result.stderr).toBe(0);
      expect(seen[before]?.host).toBe(`poller-test.example:${port}`);
    });
  });
});

describe('HTTPS_PROXY', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let front: tls.Server;
  let proxy: Server;
  let proxyPort: number;
  const connects: string[] = [];
  beforeAll(async () => {
    await cliBundle();
    dir = await mkdtemp(join(tmpdir(), 'tp-proxy-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=api.x.test',
        '-addext',
        'subjectAltName=DNS:api.x.test',
      ],
      { stdio: 'ignore' },
    );
    emulator = await startEmulator({
      seed: 5,
      posts: 1500,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
    });
    const emulatorPort = Number(new URL(emulator.url).port);
    // The "remote API": TLS for api.x.test, decrypted and passed to the emulator.
    front = tls.createServer(
      { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
      (socket) => {
        const upstream = net.connect(emulatorPort, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    const frontPort = await listen(front);
    // The proxy: answers CONNECT for any host by tunnelling to the TLS front; nothing else.
    proxy = createHttpServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    proxy.on('connect', (req, client: net.Socket, head: Buffer) => {
      connects.push(req.url ?? '');
      const upstream = net.connect(frontPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    proxyPort = await listen(proxy);
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => front.close(resolve));
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries every request through a CONNECT tunnel and delivers the ground truth', async () => {
    // Prepare
    const query = 'coffee OR music';
    const since = timeMsToId(emulator.now() - 2 * 86_400_000);
    const truth = emulator.groundTruth({ endpoint: 'search_recent', query, since_id: since });
    expect(truth.length).toBeGreaterThan(10);

    // Act
    const result = await runCli(
      [
        'poll',
        '--query',
        query,
        '--api-base',
        'https://api.x.test',
        '--initial',
        since,
        '--store',
        'sqlite:state.db',
        '--sink',
        'jsonl:posts.jsonl',
        '--min-interval',
        '0',
      ],
      {
        cwd: dir,
        env: {
          X_BEARER_TOKEN: TOKEN,
          HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
          NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
        },
      },
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const requests = logEvents(result.stderr).filter((e) => e.event === 'api_call').length;
    expect(requests).toBeGreaterThan(0);
    expect(connects.length).toBeGreaterThan(0);
    expect(new Set(connects)).toEqual(new Set(['api.x.test:443']));
    expect((await readIds(join(dir, 'posts.jsonl'))).length).toBe(truth.length);
  });
});
