import { describe, expect, it } from 'vitest';
import { readLambdaEnv } from '../../src/config/lambda-env.js';
import { ConfigError } from '../../src/core/errors.js';

const valid = {
  CHECKPOINT_TABLE: 'twitter-poller-checkpoints',
  BEARER_TOKEN_PARAMETER: '/twitter-poller/bearer-token',
  SINK: 'lambda:parser',
  STREAMS: JSON.stringify([{ query: 'from:XDevelopers' }]),
};

describe('readLambdaEnv: spend budgets (issue 12)', () => {
  it('has no budget and $0.005 per post by default; empty budget variables mean no limit', () => {
    expect(readLambdaEnv(valid).run.spend).toEqual({ pricePerPostUsd: 0.005 });
    expect(
      readLambdaEnv({ ...valid, MAX_SPEND_USD_PER_DAY: '', MAX_SPEND_USD_PER_MONTH: ' ' }).run.spend,
    ).toEqual({
      pricePerPostUsd: 0.005,
    });
  });

  it('reads MAX_SPEND_USD_PER_DAY, MAX_SPEND_USD_PER_MONTH and PRICE_PER_POST_USD', () => {
    const env = {
      ...valid,
      MAX_SPEND_USD_PER_DAY: '2.5',
      MAX_SPEND_USD_PER_MONTH: '50',
      PRICE_PER_POST_USD: '0.004',
    };
    expect(readLambdaEnv(env).run.spend).toEqual({
      pricePerPostUsd: 0.004,
      maxSpendUsdPerDay: 2.5,
      maxSpendUsdPerMonth: 50,
    });
  });

  it.each([
    ['MAX_SPEND_USD_PER_DAY', '-1'],
    ['MAX_SPEND_USD_PER_DAY', 'ten'],
    ['MAX_SPEND_USD_PER_MONTH', '1e3'],
    ['PRICE_PER_POST_USD', '0'],
    ['PRICE_PER_POST_USD', '-0.005'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      readLambdaEnv({ ...valid, [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(name);
    expect((error as ConfigError).message).toContain(`invalid environment variable ${name}:`);
  });
});
