/**
 * Bad input: malformed config files, corrupt state files, hostile API responses (wrong types,
 * non-numeric ids, huge bodies, deep nesting, broken cursors) from a tiny loopback server, invalid CLI
 * flags. Each gets a clear error and changes no state. Then a fuzz test: any JSON body served as a
 * page either is a valid page (delivered) or fails the stream with a typed PollerError, never a crash,
 * never a checkpoint move.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonLogger } from '../../src/adapters/observability/json-logger.js';
import { PollerError } from '../../src/core/errors.js';
import { timeMsToId } from '../../src/core/ids.js';
import { validatePage } from '../../src/core/page-validation.js';
import { Endpoint } from '../../src/core/ports/x-api.js';
import { runExecution } from '../../src/core/run.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { main } from '../../src/entrypoints/cli.js';
import { pageBody, type ScriptedServer, startScriptedServer } from '../property/scripted-server.js';
import {
  CollectingSink,
  emptyFigures,
  engineDeps,
  fastOptions,
  NOW,
  reportScenario,
  runs,
  sqliteStore,
  tempDir,
} from '../property/support.js';
import { ManualClock } from '../support/manual-clock.js';

const TOKEN = 'bad-input-token-0123456789';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, done) {
      chunks.push(String(c));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = capture();
  const err = capture();
  const code = await main(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: { X_BEARER_TOKEN: TOKEN, ...env },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const SINCE = timeMsToId(NOW - 86_400_000);
const spec: StreamSpec = {
  name: 'hostile',
  source: { kind: 'search', query: 'x', archive: false },
  tweetFields: [],
  userFields: [],
  expansions: [],
  initial: { kind: 'since_id', id: SINCE },
  overlapSeconds: 0,
};
const id = (k: number) => (BigInt(SINCE) + 1_000_000n - BigInt(k)).toString();

describe('bad input', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: ScriptedServer;
  const figures = emptyFigures();
  beforeAll(async () => {
    dir = tempDir('tp-bad-');
    server = await startScriptedServer();
  });
  afterAll(async () => {
    reportScenario('bad input (config, state, hostile API, flags, fuzz)', figures);
    await server.close();
    dir.remove();
  });

  it.each([
    ['not YAML at all', 'streams: [unclosed\n  - : :', /config|yaml|parse/i],
    ['JSON syntax error', '{"streams": [', /config|json|parse/i],
    ['no streams', 'max_tweets: 5\n', /streams/],
    ['unknown key', 'streams:\n  - query: a\nbogus: 1\n', /bogus|unrecognized|unknown/i],
    ['two sources', 'streams:\n  - query: a\n    user: b\n', /exactly one/],
    ['bad integer', 'streams:\n  - query: a\nmax_tweets: -3\n', /max_tweets/],
    ['bad initial', 'streams:\n  - query: a\n    initial: yesterday\n', /initial/],
    ['wrong type', 'streams: "all of them"\n', /streams/],
    ['duplicate names', 'streams:\n  - {name: a, query: x}\n  - {name: a, query: y}\n', /name/],
  ])('malformed config file (%s): exit 2, a clear error, no state', async (_name, text, message) => {
    const file = join(dir.dir, `bad-${_name.replace(/\W/g, '_')}.yaml`);
    writeFileSync(file, text);
    const state = join(dir.dir, `cfg-${_name.replace(/\W/g, '_')}.db`);
    const r = await cli(['poll', '--config', file, '--store', `sqlite:${state}`]);
    figures.runs++;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(state)).toBe(false);
  });

  it.each([
    [['poll'], /source/],
    [['poll', '--query', 'a', '--max-tweets', 'ten'], /--max-tweets/],
    [['poll', '--query', 'a', '--batch-size', '0'], /--batch-size/],
    [['poll', '--query', 'a', '--commit-pages', '0'], /--commit-pages/],
    [['poll', '--query', 'a', '--commit-interval', 'soon'], /--commit-interval/],
    [['poll', '--query', 'a', '--store', 'postgres:x'], /--store/],
    [['poll', '--query', 'a', '--sink', 'kafka:x'], /--sink/],
    [['poll', '--query', 'a', '--initial', 'tomorrow'], /--initial/],
    [['poll', '--query', 'a', '--api-base', 'ftp://x'], /--api-base/],
    [['poll', '--query', 'a', '--frobnicate'], /frobnicate|unknown/],
    [['poll', '--query', 'a', '--user', 'b'], /conflict/],
    [['bogus-command'], /unknown command/],
  ])('invalid flags %j: exit 2 naming the flag, no state', async (args, message) => {
    const state = join(dir.dir, 'flags.db');
    const r = await cli([...args, ...(args.includes('--store') ? [] : ['--store', `sqlite:${state}`])]);
    figures.runs++;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(state)).toBe(false);
  });

  it('corrupt state: a SQLite row with bad ids fails the stream clearly and is left untouched', async () => {
    const path = join(dir.dir, 'corrupt.db');
    const store = sqliteStore(dir.dir, 'corrupt.db');
    await store.close();
    const raw = new Database(path);
    const rows = [
      ['search:a', 'not-a-number', null, null],
      ['search:b', '-7', null, null],
      ['search:c', '100', '50', null],
      ['search:d', '100', '200', '300'],
      ['search:e', '99999999999999999999999', null, null],
    ];
    for (const [stream, since, newest, until] of rows) {
      raw
        .prepare(
          `INSERT INTO checkpoints (stream, since_id, sweep_newest_id, sweep_until_id, schema_version, updated_at, writer) VALUES (?, ?, ?, ?, 2, 'x', 'y')`,
        )
        .run(stream, since, newest, until);
    }
    const before = raw.prepare('SELECT * FROM checkpoints ORDER BY stream').all();
    raw.close();
    for (const [stream] of rows) {
      const r = await cli([
        'poll',
        '--query',
        stream!.slice(7),
        '--store',
        `sqlite:${path}`,
        '--api-base',
        server.url,
        '--min-interval',
        '0',
      ]);
      figures.runs++;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/corrupt/);
      expect(r.stderr).toContain(stream!);
    }
    // A file that is not a SQLite database at all.
    const junk = join(dir.dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just text '.repeat(100));
    const r = await cli(['poll', '--query', 'a', '--store', `sqlite:${junk}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--store/);
    expect(readFileSync(junk, 'utf8')).toBe('this is not a database, just text '.repeat(100));
    const after = new Database(path);
    expect(after.prepare('SELECT * FROM checkpoints ORDER BY stream').all()).toEqual(before);
    after.close();
  });

  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  it.each([
    ['data is a string', () => JSON.stringify({ data: 'posts', meta: { result_count: 1 } })],
    ['id is a number', () => JSON.stringify({ data: [{ id: 12345, text: 'x' }], meta: { result_count: 1 } })],
    [
      'id is not numeric',
      () => JSON.stringify({ data: [{ id: 'abc', text: 'x' }], meta: { result_count: 1 } }),
    ],
    [
      'id above 2^63',
      () => JSON.stringify({ data: [{ id: '99999999999999999999', text: 'x' }], meta: { result_count: 1 } }),
    ],
    ['ids ascending', () => pageBody([id(5), id(4)])],
    ['id below since_id', () => pageBody(['5'])],
    ['meta missing', () => JSON.stringify({ data: [{ id: id(1), text: 'x' }] })],
    [
      'meta.next_token a number',
      () => JSON.stringify({ data: [{ id: id(1) }], meta: { result_count: 1, next_token: 7 } }),
    ],
    ['body is an array', () => '[1,2,3]'],
    ['body is null', () => 'null'],
    ['deep nesting', () => `{"data":[{"id":"${id(1)}","x":${deep(5000)}}, 7],"meta":{"result_count":2}}`],
    ['deeper nesting than JSON.parse can take', () => `{"data":${deep(200_000)},"meta":{"result_count":0}}`],
    [
      'huge body (8 MB of text in one post)',
      () =>
        JSON.stringify({
          data: [{ id: id(1), text: 'x'.repeat(8_000_000) }, { id: 'nope' }],
          meta: { result_count: 2 },
        }),
    ],
    ['repeated next_token', () => pageBody([id(1)], 'same')],
  ])(
    'hostile response (%s): a typed error, nothing delivered past it, checkpoint unmoved',
    async (name, body) => {
      const text = body();
      server.handler = (url) => {
        // "repeated next_token": every page hands back the same token, with new posts each time.
        if (name === 'repeated next_token') {
          const n = url.searchParams.get('next_token') === null ? 1 : 2;
          return { status: 200, body: pageBody([id(n)], 'same') };
        }
        return { status: 200, body: text };
      };
      const store = sqliteStore(dir.dir, `hostile-${name.replace(/\W/g, '_')}.db`);
      const sink = new CollectingSink();
      const lines: string[] = [];
      const logger = new JsonLogger({ stream: { write: (l: string) => lines.push(l) } as never });
      const summary = await runExecution(
        { ...engineDeps({ url: server.url } as never, store, sink, { clock: new ManualClock(NOW) }), logger },
        [spec],
        fastOptions({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } }),
      );
      figures.runs++;
      figures.faults++;
      const s = summary.streams[0]!;
      expect(s.outcome).toBe('failed');
      expect(s.error).toBeTruthy();
      const errors = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.event === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(['invalid_response', 'api_error']).toContain(errors[0]!.code);
      // Only the first page of the repeated-token case is valid; nothing else is ever delivered.
      expect(sink.ids).toEqual(name === 'repeated next_token' ? [id(1)] : []);
      const saved = await store.load('hostile');
      // The first checkpoint (at the configured since_id) or the one after the valid page, never beyond.
      if (name !== 'repeated next_token') expect(saved === null || saved.sinceId === SINCE).toBe(true);
      if (saved?.sweep)
        expect(BigInt(saved.sweep.untilId ?? saved.sweep.newestId) >= BigInt(id(1))).toBe(true);
      await store.close();
    },
  );

  it('fuzz: any JSON as a page is either a valid page or a typed PollerError (validatePage)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.anything(),
          fc.record({
            data: fc.array(
              fc.record({
                id: fc.oneof(
                  fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }).map(String),
                  fc.string(),
                  fc.integer(),
                ),
              }),
            ),
            meta: fc.record({
              result_count: fc.oneof(fc.integer(), fc.string()),
              next_token: fc.option(fc.string(), { nil: undefined }),
            }),
          }),
        ),
        (body) => {
          try {
            const page = validatePage(body, Endpoint.searchRecent, { sinceId: '1', untilId: undefined });
            const ids = (page.data ?? []).map((t) => t.id);
            for (let i = 1; i < ids.length; i++) expect(BigInt(ids[i - 1]!) > BigInt(ids[i]!)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(PollerError);
          }
        },
      ),
      { numRuns: runs(1000) },
    );
  });

  it('fuzz: any JSON body served over HTTP fails the stream with a typed error or is delivered as a valid page; no crash, no corrupt state', async () => {
    const store = sqliteStore(dir.dir, 'fuzz.db');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc
            .array(fc.oneof(fc.bigInt({ min: 1n, max: 2_000_000n }), fc.string()), { maxLength: 5 })
            .map((ks) =>
              JSON.stringify({
                data: ks.map((k) => ({ id: typeof k === 'bigint' ? id(Number(k)) : k })),
                meta: { result_count: ks.length },
              }),
            ),
        ),
        async (body) => {
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          server.handler = () => ({ status: 200, body: text });
          const stream = { ...spec, name: `fuzz-${++n}` };
          const sink = new CollectingSink();
          const summary = await runExecution(
            engineDeps({ url: server.url } as never, store, sink, { clock: new ManualClock(NOW) }),
            [stream],
            fastOptions({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } }),
          );
          figures.runs++;
          const outcome = summary.streams[0]!.outcome;
          expect(['failed', 'caught_up']).toContain(outcome);
          // Whatever happened, what is stored is a valid checkpoint (load would throw otherwise).
          const saved = await store.load(stream.name);
          if (outcome === 'failed') {
            expect(summary.streams[0]!.error).toBeTruthy();
            expect(sink.ids).toEqual([]);
            expect(saved === null || (saved.sinceId === SINCE && saved.sweep === null)).toBe(true);
          } else {
            for (const d of sink.ids) expect(BigInt(d) > BigInt(SINCE)).toBe(true);
          }
        },
      ),
      { numRuns: runs(150) },
    );
    await store.close();
  });
});
