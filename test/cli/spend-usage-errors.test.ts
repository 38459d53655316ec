import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const TOKEN = { X_BEARER_TOKEN: 'test-token-spend-errors' };

describe.concurrent('twitter-poller spend settings: bad input exits 2 naming the setting', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'tp-cli-spend-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it.each([
    [['--max-spend-day=-1'], '--max-spend-day', /non-negative amount of US dollars/],
    [['--max-spend-day', 'ten'], '--max-spend-day', /non-negative amount of US dollars/],
    [['--max-spend-month', '5$'], '--max-spend-month', /non-negative amount of US dollars/],
    [['--price-per-post', '0'], '--price-per-post', /positive amount of US dollars/],
    [['--price-per-post=-0.005'], '--price-per-post', /positive amount of US dollars/],
  ])('%j', async (flags, setting, why) => {
    const result = await runCli(['poll', '--query', 'x', ...flags], { cwd, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`twitter-poller: invalid ${setting}:`);
    expect(result.stderr).toMatch(why);
  });

  it.each([
    ['max_spend_usd_per_day', '-5', /non-negative amount/],
    ['max_spend_usd_per_month', '"lots"', /non-negative amount/],
    ['price_per_post_usd', '0', /positive amount/],
  ])('config file %s: %s', async (key, value, why) => {
    const file = `${key}.yaml`;
    await writeFile(join(cwd, file), `streams:\n  - query: a\n${key}: ${value}\n`);
    const result = await runCli(['poll', '--config', file], { cwd, env: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${key}:`);
    expect(result.stderr).toMatch(why);
  });
});
