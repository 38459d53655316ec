import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/config/cli-args.js';
import { defaultStore, LEGACY_DEFAULT_STORE_PATH } from '../../src/config/state-dir.js';
import type { PollConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { DEFAULT_EXPANSIONS, DEFAULT_TWEET_FIELDS } from '../../src/core/stream.js';

const ENV = { X_BEARER_TOKEN: 'token-for-parse-tests', XDG_STATE_HOME: '/xdg-state' };
const poll = async (argv: string[], env: Record<string, string> = ENV) =>
  (await parseCliArgs(argv, env)) as PollConfig;

describe('parseCliArgs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-parse-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the retry policy and lease TTL from flags, with the documented defaults otherwise', async () => {
    const defaults = await poll(['poll', '--query', 'x']);
    expect(defaults.run.retry).toEqual({ baseDelayMs: 1000, maxDelayMs: 300_000, maxAttempts: 5 });
    expect(defaults.run.leaseTtlMs).toBe(60_000);
    const set = await poll([
      'poll',
      '--query',
      'x',
      '--retry-base',
      '20',
      '--retry-max',
      '500',
      '--retry-attempts',
      '3',
      '--lease-ttl',
      '5',
    ]);
    expect(set.run.retry).toEqual({ baseDelayMs: 20, maxDelayMs: 500, maxAttempts: 3 });
    expect(set.run.leaseTtlMs).toBe(5_000);
  });

  it.each([
    [['--time-budget', '15m'], { timeBudgetMs: 900_000 }],
    [['--time-budget', '90'], { timeBudgetMs: 90_000 }],
    [['--min-interval', '2s'], { minIntervalMs: 2000 }],
    [['--min-interval', '250ms'], { minIntervalMs: 250 }],
    [['--min-interval', '250'], { minIntervalMs: 250 }],
    [['--lease-ttl', '2m'], { leaseTtlMs: 120_000 }],
    [['--retry-max', '1h'], { retry: { baseDelayMs: 1000, maxDelayMs: 3_600_000, maxAttempts: 5 } }],
  ])('reads the duration %j (plain numbers keep the flag unit)', async (flags, run) => {
    const config = await poll(['poll', '--query', 'x', ...flags]);
    expect(config.run).toMatchObject(run);
  });

  it('reads durations in a config file: units, or plain numbers in the key unit', async () => {
    const path = join(dir, 'durations.yaml');
    await writeFile(
      path,
      'streams:\n  - query: a\n    overlap_seconds: 2m\ntime_budget_seconds: 10m\nmin_interval_ms: 1s\nlease_ttl_seconds: 30\n',
    );
    const config = await poll(['poll', '--config', path]);
    expect(config.run).toMatchObject({ timeBudgetMs: 600_000, minIntervalMs: 1000, leaseTtlMs: 30_000 });
    expect(config.streams[0]?.overlapSeconds).toBe(120);
  });

  it('takes the default store from XDG_STATE_HOME, else HOME, and ignores a relative XDG_STATE_HOME', async () => {
    const store = async (env: Record<string, string>) =>
      (await poll(['poll', '--query', 'x'], { X_BEARER_TOKEN: 't', ...env })).store;
    expect(await store({ XDG_STATE_HOME: '/s', HOME: '/h' })).toEqual({
      kind: 'sqlite',
      path: '/s/twitter-poller/state.db',
      origin: 'default',
    });
    expect(await store({ XDG_STATE_HOME: 'rel', HOME: '/h' })).toMatchObject({
      path: '/h/.local/state/twitter-poller/state.db',
    });
    expect(await store({ HOME: '/h' })).toMatchObject({ path: '/h/.local/state/twitter-poller/state.db' });
  });

  it('keeps using ./.twitter-poller/state.db when it exists (the old default)', () => {
    expect(defaultStore({ HOME: '/h' }, (p) => p === LEGACY_DEFAULT_STORE_PATH)).toEqual({
      kind: 'sqlite',
      path: LEGACY_DEFAULT_STORE_PATH,
      origin: 'legacy-default',
    });
    expect(defaultStore({ HOME: '/h' }, () => false)).toMatchObject({ origin: 'default' });
  });

  it.each([
    [{}, true],
    [{ TERM: 'dumb' }, false],
    [{ CI: 'true' }, false],
    [{ CI: '1' }, false],
    [{ CI: 'false' }, true],
  ])('with env %j the progress line is wanted: %s', async (env, progress) => {
    expect((await poll(['poll', '--query', 'x'], { ...ENV, ...env })).progress).toBe(progress);
  });

  it('--quiet turns the progress line off', async () => {
    expect((await poll(['poll', '--query', 'x', '--quiet'])).progress).toBe(false);
    expect((await poll(['poll', '--query', 'x', '-q'])).progress).toBe(false);
  });

  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lowercase first), and refuses a bad proxy URL', async () => {
    const config = await poll(['poll', '--query', 'x'], {
      ...ENV,
      HTTPS_PROXY: 'http://upper:1',
      https_proxy: 'http://lower:3128',
      HTTP_PROXY: 'proxy.corp:8080',
      NO_PROXY: '.internal',
    });
    expect(config.proxy).toEqual({
      httpsProxy: 'http://lower:3128',
      httpProxy: 'http://proxy.corp:8080',
      noProxy: '.internal',
    });
    await expect(poll(['poll', '--query', 'x'], { ...ENV, HTTPS_PROXY: 'socks5://p:1' })).rejects.toThrow(
      /invalid HTTPS_PROXY: must be a proxy URL/,
    );
  });

  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://127.1.2.3', true],
    ['http://localhost:1', true],
    ['http://[::1]:9', true],
    ['https://api.x.com', true],
    ['http://api.x.com', false],
    ['http://10.0.0.1:8080', false],
    ['http://127.0.0.1.example.com', false],
  ])('--api-base %s is allowed without --allow-insecure-http: %s', async (url, allowed) => {
    const attempt = poll(['poll', '--query', 'x', '--api-base', url]);
    if (allowed) await expect(attempt).resolves.toMatchObject({ apiBaseUrl: url });
    else await expect(attempt).rejects.toThrow(/refusing to send the bearer token over plain HTTP/);
    await expect(
      poll(['poll', '--query', 'x', '--api-base', url, '--allow-insecure-http']),
    ).resolves.toMatchObject({ apiBaseUrl: url });
  });

  it('applies the plain-http rule to X_API_BASE_URL and the config file, naming each', async () => {
    await expect(
      poll(['poll', '--query', 'x'], { ...ENV, X_API_BASE_URL: 'http://h.example' }),
    ).rejects.toThrow(/invalid X_API_BASE_URL: refusing/);
    const path = join(dir, 'insecure.yaml');
    await writeFile(path, 'api_base: http://h.example\nstreams:\n  - query: a\n');
    await expect(poll(['poll', '--config', path])).rejects.toThrow(/invalid api_base: refusing/);
  });

  it('fills every default for a single query', async () => {
    const config = await poll(['poll', '--query', 'from:XDevelopers -is:retweet']);
    expect(config).toMatchObject({
      command: 'poll',
      store: { kind: 'sqlite', path: '/xdg-state/twitter-poller/state.db', origin: 'default' },
      sink: { kind: 'stdout' },
      apiBaseUrl: 'https://api.x.com',
      bearerToken: 'token-for-parse-tests',
      resetCheckpoint: false,
      logLevel: 'info',
      run: {
        maxTweets: 1000,
        batchSize: 25,
        timeBudgetMs: 840_000,
        minIntervalMs: 1000,
        finalCommitReserveMs: 5000,
      },
    });
    expect(config.streams).toEqual([
      {
        name: 'search:from:XDevelopers -is:retweet',
        source: { kind: 'search', query: 'from:XDevelopers -is:retweet', archive: false },
        tweetFields: [...DEFAULT_TWEET_FIELDS],
        userFields: [],
        weight: 1,
        expansions: [...DEFAULT_EXPANSIONS],
        initial: { kind: 'now' },
        overlapSeconds: 0,
      },
    ]);
  });

  it.each([
    [
      ['--user', '@XDevelopers', '--exclude', 'retweets,replies'],
      'timeline:XDevelopers;exclude=replies,retweets',
    ],
    [['--user', '2244994945'], 'timeline:2244994945'],
    [['--mentions', 'XDevelopers'], 'mentions:XDevelopers'],
    [['--query', 'a', '--archive'], 'archive:a'],
    [['--query', 'a', '--stream', 'mine'], 'mine'],
  ])('names the stream of %j %s', async (args, name) => {
    expect((await poll(['poll', ...args])).streams[0]?.name).toBe(name);
  });

  it.each([
    ['now', { kind: 'now' }],
    ['90m', { kind: 'lookback', ms: 5_400_000 }],
    ['36h', { kind: 'lookback', ms: 129_600_000 }],
    ['7d', { kind: 'lookback', ms: 604_800_000 }],
    ['9223372036854775807', { kind: 'since_id', id: '9223372036854775807' }],
  ])('reads --initial %s', async (value, initial) => {
    expect((await poll(['poll', '--query', 'a', '--initial', value])).streams[0]?.initial).toEqual(initial);
  });

  it('maps every flag', async () => {
    const config = await poll([
      'poll',
      '--query',
      'a',
      '--store',
      'dynamodb:tp-checkpoints',
      '--sink',
      'sqs:https://sqs.eu-west-1.amazonaws.com/1/q',
      '--max-tweets',
      '50',
      '--batch-size',
      '10',
      '--commit-pages',
      '4',
      '--commit-interval',
      '0',
      '--time-budget',
      '60',
      '--min-interval',
      '0',
      '--overlap',
      '30',
      '--reset-checkpoint',
      '--api-base',
      'http://127.0.0.1:9/',
      '--log-level',
      'debug',
    ]);
    expect(config).toMatchObject({
      store: { kind: 'dynamodb', table: 'tp-checkpoints' },
      sink: { kind: 'sqs', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q' },
      run: {
        maxTweets: 50,
        batchSize: 10,
        commitPages: 4,
        commitIntervalMs: 0,
        timeBudgetMs: 60_000,
        minIntervalMs: 0,
      },
      apiBaseUrl: 'http://127.0.0.1:9',
      resetCheckpoint: true,
      logLevel: 'debug',
    });
    expect(config.streams[0]?.overlapSeconds).toBe(30);
  });

  it('takes the API base from X_API_BASE_URL when --api-base is absent', async () => {
    expect(
      (await poll(['poll', '--query', 'a'], { ...ENV, X_API_BASE_URL: 'http://localhost:8080' })).apiBaseUrl,
    ).toBe('http://localhost:8080');
  });

  it('reads a YAML config file: streams, defaults, and flags that override them', async () => {
    const path = join(dir, 'streams.yaml');
    await writeFile(
      path,
      [
        'store: memory',
        'sink: jsonl:out.jsonl',
        'max_tweets: 200',
        'initial: 2d',
        'streams:',
        '  - name: news',
        '    query: breaking news',
        '    tweet_fields: [created_at]',
        '  - user: XDevelopers',
        '    exclude: [replies]',
        '    initial: "1578516068309794817"',
        '  - mentions: "2244994945"',
        '    overlap_seconds: 60',
      ].join('\n'),
    );
    const config = await poll(['poll', '--config', path, '--max-tweets', '20']);
    expect(config.store).toEqual({ kind: 'memory' });
    expect(config.sink).toEqual({ kind: 'jsonl', path: 'out.jsonl' });
    expect(config.run.maxTweets).toBe(20);
    expect(config.streams.map((s) => s.name)).toEqual([
      'news',
      'timeline:XDevelopers;exclude=replies',
      'mentions:2244994945',
    ]);
    expect(config.streams[0]).toMatchObject({
      tweetFields: ['created_at'],
      initial: { kind: 'lookback', ms: 172_800_000 },
    });
    expect(config.streams[1]?.initial).toEqual({ kind: 'since_id', id: '1578516068309794817' });
    expect(config.streams[2]?.overlapSeconds).toBe(60);
    const only = await poll(['poll', '--config', path, '--stream', 'news']);
    expect(only.streams.map((s) => s.name)).toEqual(['news']);
  });

  it('reads a JSON config file', async () => {
    const path = join(dir, 'streams.json');
    await writeFile(
      path,
      JSON.stringify({ streams: [{ query: 'a', archive: true }], batch_size: 100, commit_pages: 5 }),
    );
    const config = await poll(['poll', '--config', path]);
    expect(config.streams[0]?.source).toEqual({ kind: 'search', query: 'a', archive: true });
    expect(config.run.batchSize).toBe(100);
    expect(config.run.commitPages).toBe(5);
  });

  it('throws ConfigError naming the setting, never echoing the token', async () => {
    const error = await parseCliArgs(['poll', '--query', 'a', '--max-tweets', '0'], ENV).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('--max-tweets');
    expect((error as Error).message).toBe('invalid --max-tweets: must be a positive integer');
  });

  it('parses status, help and version', async () => {
    expect(await parseCliArgs(['status', '--json'], { HOME: '/home/ann' })).toEqual({
      command: 'status',
      store: { kind: 'sqlite', path: '/home/ann/.local/state/twitter-poller/state.db', origin: 'default' },
      json: true,
      dynamodbLayout: { keyAttribute: 'stream', legacySinceIdAttribute: 'since_id' },
    });
    expect(await parseCliArgs([], {})).toEqual({ command: 'help', topic: 'main' });
    expect(await parseCliArgs(['poll', '-h'], {})).toEqual({ command: 'help', topic: 'poll' });
    expect(await parseCliArgs(['--version'], {})).toEqual({ command: 'version' });
    expect(await parseCliArgs(['-v'], {})).toEqual({ command: 'version' });
    expect(await parseCliArgs(['status', '-v'], {})).toEqual({ command: 'version' });
    expect(await parseCliArgs(['init', 'my.yaml'], {})).toEqual({
      command: 'init',
      path: 'my.yaml',
      force: false,
    });
    expect(await parseCliArgs(['init', '--force'], {})).toEqual({
      command: 'init',
      path: 'streams.yaml',
      force: true,
    });
  });
});
