import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/config/cli-args.js';
import type { PollConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { DEFAULT_EXPANSIONS, DEFAULT_TWEET_FIELDS } from '../../src/core/stream.js';

const ENV = { X_BEARER_TOKEN: 'token-for-parse-tests' };
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

  it('fills every default for a single query', async () => {
    const config = await poll(['poll', '--query', 'from:XDevelopers -is:retweet']);
    expect(config).toMatchObject({
      command: 'poll',
      store: { kind: 'sqlite', path: '.twitter-poller/state.db' },
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
        safetyMarginMs: 5000,
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
    expect(await parseCliArgs(['status', '--json'], {})).toEqual({
      command: 'status',
      store: { kind: 'sqlite', path: '.twitter-poller/state.db' },
      json: true,
    });
    expect(await parseCliArgs([], {})).toEqual({ command: 'help', topic: 'main' });
    expect(await parseCliArgs(['poll', '-h'], {})).toEqual({ command: 'help', topic: 'poll' });
    expect(await parseCliArgs(['--version'], {})).toEqual({ command: 'version' });
  });
});
