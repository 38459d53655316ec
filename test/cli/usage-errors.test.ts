import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TOKEN = { X_BEARER_TOKEN: 'test-token-usage-errors' };

describe.concurrent('twitter-poller usage errors', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'tp-cli-usage-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it.each([
    [['poll', '--query', 'x', '--max-tweets', '0'], '--max-tweets', /must be a positive integer/],
    [['poll', '--query', 'x', '--max-tweets', 'ten'], '--max-tweets', /must be a positive integer/],
    [
      ['poll', '--query', 'x', '--batch-size', '-3'],
      '--batch-size',
      /needs a value \(write --batch-size=<value>/,
    ],
    [['poll', '--query', 'x', '--batch-size=-3'], '--batch-size', /positive integer/],
    [['poll', '--query', 'x', '--time-budget', '1.5'], '--time-budget', /duration such as 90s.*seconds/],
    [['poll', '--query', 'x', '--min-interval', 'fast'], '--min-interval', /duration.*milliseconds/],
    [['poll', '--query', 'x', '--overlap', 'x'], '--overlap', /duration/],
    [['poll', '--query', 'x', '--retry-base', '0'], '--retry-base', /more than 0/],
    [['poll', '--query', 'x', '--retry-attempts', 'many'], '--retry-attempts', /positive integer/],
    [['poll', '--query', 'x', '--lease-ttl', '-1s'], '--lease-ttl', /duration|needs a value/],
    [['poll', '--query', 'x', '--time-budget', '1500ms'], '--time-budget', /whole number of seconds/],
    [
      ['poll', '--query', 'x', '--api-base', 'http://api.x.com'],
      '--api-base',
      /refusing to send the bearer token over plain HTTP to api\.x\.com/,
    ],
    [['poll', '--query', 'x', '--initial', 'yesterday'], '--initial', /now, a duration/],
    [['poll', '--query', 'x', '--store', 'postgres:db'], '--store', /unknown store/],
    [['poll', '--query', 'x', '--store', 'sqlite:'], '--store', /file path/],
    [['poll', '--query', 'x', '--sink', 'kafka:topic'], '--sink', /unknown sink/],
    [['poll', '--query', 'x', '--sink', 'sqs:not a url'], '--sink', /queue URL/],
    [['poll', '--query', 'x', '--api-base', 'ftp://x'], '--api-base', /http\(s\) URL/],
    [['poll', '--query', 'x', '--log-level', 'loud'], '--log-level', /debug, info, warn, error/],
    [['poll', '--user', 'x', '--exclude', 'likes'], '--exclude', /replies, retweets/],
    [['poll', '--query', 'x', '--exclude', 'replies'], '--exclude', /only applies to --user/],
    [['poll', '--user', 'x', '--archive'], '--archive', /only applies to --query/],
    [['poll'], '--query', /needs a source/],
    [['poll', '--query', 'x', '--user', 'y'], '--query', /conflict/],
    [['poll', '--query', 'x', '--bogus'], '--bogus', /unknown option/],
    [['poll', '--query'], '--query', /needs a value/],
    [['frobnicate'], 'command', /unknown command/],
    [['status', '--store', 'memory:x'], '--store', /takes no target/],
  ])('%j exits 2 naming %s', async (args, setting, why) => {
    const result = await runCli(args, { cwd, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`twitter-poller: invalid ${setting}:`);
    expect(result.stderr).toMatch(why);
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming X_BEARER_TOKEN when the token is missing', async () => {
    const result = await runCli(['poll', '--query', 'x'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid X_BEARER_TOKEN');
  });

  it.each([
    ['bad.yaml', 'streams[1].query', 'streams:\n  - query: a\n  - query: ""\n', /non-empty string/],
    ['bad.json', 'streams[0].max_results', '{"streams":[{"query":"a","max_results":5}]}', /unknown setting/],
    [
      'both.yaml',
      'streams[0]',
      'streams:\n  - query: a\n    user: b\n',
      /exactly one of query, user or mentions/,
    ],
    ['size.yaml', 'batch_size', 'streams:\n  - query: a\nbatch_size: 0\n', /positive integer/],
    ['initial.yml', 'streams[0].initial', 'streams:\n  - user: a\n    initial: soon\n', /now, a duration/],
    ['none.yaml', 'streams', 'max_tweets: 5\n', /required/],
    [
      'dup.yaml',
      'streams[1].name',
      'streams:\n  - query: a\n  - query: a\n',
      /duplicate stream name "search:a"/,
    ],
    ['syntax.json', '--config', '{"streams": [', /not valid JSON/],
    [
      'weight0.yaml',
      'streams[1].weight',
      'streams:\n  - query: a\n  - name: music\n    query: music\n    weight: 0\n',
      /must be a positive number.*\(stream "music"\)/,
    ],
    [
      'weightnan.json',
      'streams[0].weight',
      '{"streams":[{"query":"coffee","weight":"heavy"}]}',
      /must be a positive number.*\(stream "search:coffee"\)/,
    ],
  ])('%s: a bad config file names %s', async (file, key, text, why) => {
    await writeFile(join(cwd, file), text);
    const result = await runCli(['poll', '--config', file], { cwd, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${key}:`);
    expect(result.stderr).toMatch(why);
  });

  it('exits 2 when --stream names no stream of the config file', async () => {
    await writeFile(join(cwd, 'ok.yaml'), 'streams:\n  - name: news\n    query: news\n');
    const result = await runCli(['poll', '--config', 'ok.yaml', '--stream', 'sports'], { cwd, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid --stream: no stream named "sports".*have: news/);
  });
});

describe.concurrent('twitter-poller help and version', () => {
  it.each([
    [['--help'], /Usage:\n {2}twitter-poller poll/],
    [['poll', '--help'], /--max-tweets <n>.*default 1000/],
    [['status', '--help'], /Usage: twitter-poller status/],
    [['report', '--help'], /--since <period> .*default 30d/],
  ])('%j prints usage on stdout and exits 0', async (args, text) => {
    const result = await runCli(args, { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(text);
  });

  it.each([
    [['--version']],
    [['-v']],
    [['poll', '-v']],
    [['status', '--version']],
    [['init', '-v']],
    [['emulator', '--version']],
    [['demo', '-v']],
  ])('%j prints the package version', async (args) => {
    const result = await runCli(args, { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('twitter-poller demo', () => {
  it('refuses to run with X_BEARER_TOKEN set, pointing to poll', async () => {
    const result = await runCli(['demo'], { cwd: tmpdir(), env: { X_BEARER_TOKEN: 'real-token-here' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not use X_BEARER_TOKEN/);
    expect(result.stderr).toMatch(/twitter-poller poll/);
  });

  it('polls the bundled emulator twice and reports no post missing or duplicated', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'tp-demo-'));
    try {
      const result = await runCli(['demo'], { cwd, timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/first poll +exit 0 +caught_up true/);
      expect(result.stdout).toMatch(/second poll +exit 0 +caught_up true/);
      expect(result.stdout).toMatch(/missing 0, duplicated 0/);
      expect(result.stdout).toMatch(/HTTP 429/);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
