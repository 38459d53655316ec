/**
 * Bad fan-out and concurrency input exits 2 and names the setting: `--concurrency 0`, an unknown
 * fan-out mode, a shard size beyond what one worker can serve, and the Lambda's FANOUT_* variables.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFanoutEnv } from '../../src/config/fanout.js';
import { ConfigError } from '../../src/core/errors.js';
import { maxShardSize, parseShard, planShards } from '../../src/core/fleet.js';
import { runCli } from './run-cli.js';

const TOKEN = { X_BEARER_TOKEN: 'test-token-fleet-usage' };
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/shards';

describe.concurrent('fleet usage errors', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'tp-fleet-usage-'));
    await writeFile(join(cwd, 'streams.json'), JSON.stringify({ streams: [{ query: 'a' }, { query: 'b' }] }));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it.each([
    [['poll', '--query', 'x', '--concurrency', '0'], '--concurrency', /positive integer/],
    [['poll', '--query', 'x', '--rate-budget', 'global'], '--rate-budget', /shared or local/],
    [
      ['plan', '--config', 'streams.json', '--queue', QUEUE, '--fanout', 'kafka'],
      '--fanout',
      /unknown fan-out mode "kafka"/,
    ],
    [
      ['plan', '--config', 'streams.json', '--queue', QUEUE, '--fanout', 'single'],
      '--fanout',
      /nothing|single/,
    ],
    [
      ['plan', '--config', 'streams.json', '--queue', QUEUE, '--shard-size', '841'],
      '--shard-size',
      /from 1 to 840/,
    ],
    [
      ['plan', '--config', 'streams.json', '--queue', QUEUE, '--shard-size', '0'],
      '--shard-size',
      /from 1 to 840/,
    ],
    [
      ['plan', '--config', 'streams.json', '--queue', QUEUE, '--min-interval', '0', '--shard-size', '1001'],
      '--shard-size',
      /from 1 to 1000/,
    ],
    [['plan', '--config', 'streams.json', '--queue', 'not-a-url'], '--queue', /queue URL/],
    [['plan', '--queue', QUEUE], '--config', /streams file/],
  ])('%j exits 2 naming %s', async (argv, setting, why) => {
    const r = await runCli(argv, { cwd, env: TOKEN });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`invalid ${setting}`);
    expect(r.stderr).toMatch(why);
  });
});

describe('FANOUT_* Lambda variables', () => {
  const worker = { stopBeforeTimeoutMs: 60_000, minIntervalMs: 1_000 };
  it.each([
    [{ FANOUT_MODE: 'kinesis' }, 'FANOUT_MODE'],
    [{ FANOUT_MODE: 'sqs', FANOUT_SHARD_SIZE: '841' }, 'FANOUT_SHARD_SIZE'],
    [{ FANOUT_MODE: 'sqs', FANOUT_SHARD_SIZE: 'ten' }, 'FANOUT_SHARD_SIZE'],
    [{ FANOUT_MODE: 'sqs', FANOUT_QUEUE_URL: 'queue' }, 'FANOUT_QUEUE_URL'],
  ])('%j is a ConfigError naming %s', (env, setting) => {
    expect(() => readFanoutEnv(env, worker)).toThrow(ConfigError);
    expect(() => readFanoutEnv(env, worker)).toThrow(`invalid ${setting}`);
  });

  it('defaults to the single-function mode', () => {
    expect(readFanoutEnv({}, worker)).toEqual({ mode: 'single', shardSize: 25, queueUrl: undefined });
  });
});

describe('shards', () => {
  it('bounds a shard by what one worker can request before its deadline', () => {
    expect(maxShardSize(840_000, 1_000)).toBe(840);
    expect(maxShardSize(840_000, 0)).toBe(1_000);
  });

  it('cuts every stream into shards of at most the shard size, each once, in order', () => {
    const names = Array.from({ length: 1_000 }, (_, i) => `s${i}`);
    const shards = planShards(names, 63, 'w');
    expect(shards).toHaveLength(16);
    expect(shards.every((s) => s.streams.length <= 63)).toBe(true);
    expect(shards.flatMap((s) => s.streams)).toEqual(names);
    expect(parseShard(JSON.stringify(shards[3]))).toEqual(shards[3]);
    expect(parseShard('{"kind":"other"}')).toBeNull();
  });

  it('keeps a shard message under 200 KB even with long stream names', () => {
    const names = Array.from({ length: 200 }, (_, i) => `search:${'x'.repeat(4_000)}${i}`);
    const shards = planShards(names, 1_000, 'w');
    for (const s of shards) expect(new TextEncoder().encode(JSON.stringify(s)).length).toBeLessThan(210_000);
    expect(shards.flatMap((s) => s.streams)).toEqual(names);
  });
});
