import { describe, expect, it } from 'vitest';
import { readLambdaEnv } from '../../src/config/lambda-env.js';
import { ConfigError } from '../../src/core/errors.js';

const STREAMS = JSON.stringify([
  { query: 'from:XDevelopers' },
  { name: 'me', mentions: '@someone', initial: '36h' },
]);
const valid = {
  CHECKPOINT_TABLE: 'twitter-poller-checkpoints',
  BEARER_TOKEN_PARAMETER: '/twitter-poller/bearer-token',
  SINK: 'lambda:parser',
  STREAMS,
};

function configError(env: Record<string, string>): ConfigError {
  try {
    readLambdaEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readLambdaEnv', () => {
  it('applies the documented defaults', () => {
    const config = readLambdaEnv(valid);
    expect(config).toMatchObject({
      tableName: 'twitter-poller-checkpoints',
      token: { kind: 'ssm', parameter: '/twitter-poller/bearer-token' },
      sink: { kind: 'lambda', functionName: 'parser' },
      run: { maxTweets: 1000, batchSize: 25, minIntervalMs: 1000, leaseTtlMs: 60_000, timeBudgetMs: 840_000 },
      apiBaseUrl: 'https://api.x.com',
      stopBeforeTimeoutMs: 60_000,
      logLevel: 'info',
    });
    expect(config.payloadLimitBytes).toBe(262_144);
    expect(config.streams.kind === 'inline' && config.streams.streams.map((s) => s.name)).toEqual([
      'search:from:XDevelopers',
      'me',
    ]);
  });

  it('accepts the local alternatives: X_BEARER_TOKEN, PARSER_FUNCTION_NAME, STREAMS_PARAMETER, an SQS sink', () => {
    const { BEARER_TOKEN_PARAMETER: _t, SINK: _s, STREAMS: _st, ...rest } = valid;
    expect(
      readLambdaEnv({
        ...rest,
        X_BEARER_TOKEN: 'local',
        PARSER_FUNCTION_NAME: 'fn',
        STREAMS_PARAMETER: '/p/streams',
      }),
    ).toMatchObject({
      token: { kind: 'env' },
      sink: { kind: 'lambda', functionName: 'fn' },
      streams: { kind: 'ssm' },
    });
    expect(
      readLambdaEnv({ ...valid, SINK: 'sqs:https://sqs.eu-west-1.amazonaws.com/1/q.fifo' }).sink,
    ).toEqual({
      kind: 'sqs',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q.fifo',
    });
  });

  it('names the stream and the setting of a bad weight, and reads a good one', () => {
    const error = configError({
      ...valid,
      STREAMS: '[{"query":"a"},{"query":"b","name":"beta","weight":0}]',
    });
    expect(error.message).toMatch(/STREAMS: \[1\]\.weight: must be a positive number.*\(stream "beta"\)/);
    const config = readLambdaEnv({ ...valid, STREAMS: '[{"query":"a","weight":2.5},{"query":"b"}]' });
    expect(config.streams).toMatchObject({ kind: 'inline', streams: [{ weight: 2.5 }, { weight: 1 }] });
  });

  it.each([
    ['CHECKPOINT_TABLE', { CHECKPOINT_TABLE: '' }],
    ['CHECKPOINT_TABLE', { CHECKPOINT_TABLE: 'no spaces allowed' }],
    ['BEARER_TOKEN_PARAMETER', { BEARER_TOKEN_PARAMETER: '' }],
    ['BEARER_TOKEN_PARAMETER', { X_BEARER_TOKEN: 'both set' }],
    ['SINK', { SINK: 'jsonl:/tmp/out.jsonl' }],
    ['SINK', { SINK: 'kinesis:stream' }],
    ['SINK', { SINK: '' }],
    ['STREAMS', { STREAMS: '[{"query": 3}]' }],
    ['STREAMS', { STREAMS: '[]' }],
    ['STREAMS', { STREAMS: 'not json' }],
    ['STREAMS', { STREAMS: '[{"query":"a","name":"x"},{"query":"b","name":"x"}]' }],
    ['STREAMS', { STREAMS: '[{"query":"a","name":"alpha","weight":-1}]' }],
    ['STREAMS', { STREAMS: '[{"query":"a","weight":"2"}]' }],
    ['MAX_TWEETS_PER_EXECUTION', { MAX_TWEETS_PER_EXECUTION: '0' }],
    ['BATCH_SIZE', { BATCH_SIZE: '2.5' }],
    ['MIN_INTERVAL_MS', { MIN_INTERVAL_MS: '-1' }],
    ['X_API_BASE_URL', { X_API_BASE_URL: 'ftp://api.x.com' }],
    ['SAFETY_MARGIN_MS', { SAFETY_MARGIN_MS: 'sixty' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['X_API_BASE_URL', { X_API_BASE_URL: 'http://emulator.internal:8080' }],
    ['ALLOW_INSECURE_HTTP', { ALLOW_INSECURE_HTTP: 'yes' }],
    ['LEASE_TTL_MS', { LEASE_TTL_MS: '500ms' }],
    ['CONCURRENCY', { CONCURRENCY: '0' }],
    ['CONCURRENCY', { CONCURRENCY: 'four' }],
    ['HTTPS_PROXY', { HTTPS_PROXY: 'ftp://proxy:1' }],
  ])('names %s when it is wrong (%j)', (setting, override) => {
    const error = configError({ ...valid, ...override });
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
  });

  it('reads CONCURRENCY, the default when unset', () => {
    expect(readLambdaEnv({ ...valid, CONCURRENCY: '4' }).run.concurrency).toBe(4);
    expect(readLambdaEnv(valid).run.concurrency).toBe(2);
  });

  it('refuses plain http to a non-loopback host at cold start, unless ALLOW_INSECURE_HTTP=true', () => {
    expect(configError({ ...valid, X_API_BASE_URL: 'http://emulator.internal:8080' }).message).toMatch(
      /refusing to send the bearer token over plain HTTP to emulator\.internal/,
    );
    expect(
      readLambdaEnv({
        ...valid,
        X_API_BASE_URL: 'http://emulator.internal:8080',
        ALLOW_INSECURE_HTTP: 'true',
      }).apiBaseUrl,
    ).toBe('http://emulator.internal:8080');
    expect(readLambdaEnv({ ...valid, X_API_BASE_URL: 'http://127.0.0.1:8080' }).apiBaseUrl).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('reads durations with units, plain numbers in the variable unit, and the proxy variables', () => {
    const config = readLambdaEnv({
      ...valid,
      MIN_INTERVAL_MS: '2s',
      SAFETY_MARGIN_MS: '90000',
      LEASE_TTL_MS: '2m',
      PARAMETER_MAX_AGE_SECONDS: '10m',
      HTTPS_PROXY: 'http://proxy.vpc:3128',
      NO_PROXY: '.amazonaws.com',
    });
    expect(config).toMatchObject({
      run: { minIntervalMs: 2000, leaseTtlMs: 120_000 },
      stopBeforeTimeoutMs: 90_000,
      parameterMaxAgeSeconds: 600,
      proxy: { httpsProxy: 'http://proxy.vpc:3128', noProxy: '.amazonaws.com' },
    });
  });
});
