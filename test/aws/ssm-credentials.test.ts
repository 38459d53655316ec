import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/adapters/aws/errors.js';
import { EnvBearerTokenSource } from '../../src/adapters/credentials/bearer-token.js';
import { SsmBearerTokenSource, SsmParameters } from '../../src/adapters/credentials/ssm.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { type FakeSsm, startFakeSsm } from '../support/aws/fake-ssm.js';

const TOKEN = 'AAAA-ssm-token-value-123456';
let ssm: FakeSsm;
beforeAll(async () => {
  ssm = await startFakeSsm();
  ssm.parameters.set('/tp/token', { value: TOKEN, type: 'SecureString' });
});
afterAll(async () => ssm?.close());
beforeEach(() => {
  ssm.requests.length = 0;
  ssm.failing = false;
  ssm.failNext = 0;
});

const parameters = (maxAgeSeconds = 300) =>
  new SsmParameters({
    client: new SSMClient({ ...DUMMY_AWS, endpoint: ssm.url, maxAttempts: 3 }),
    maxAgeSeconds,
  });

describe('SsmBearerTokenSource', () => {
  it('reads the SecureString with decryption and reuses it while fresh', async () => {
    const source = new SsmBearerTokenSource('/tp/token', parameters());
    expect(await source.token()).toBe(TOKEN);
    expect(await source.token()).toBe(TOKEN);
    expect(ssm.requests).toEqual([{ name: '/tp/token', withDecryption: true }]);
  });

  it('fetches again after invalidate (e.g. after a 401) and whenever maxAge is 0', async () => {
    const source = new SsmBearerTokenSource('/tp/token', parameters());
    await source.token();
    source.invalidate();
    await source.token();
    expect(ssm.requests).toHaveLength(2);
    const uncached = new SsmBearerTokenSource('/tp/token', parameters(0));
    await uncached.token();
    await uncached.token();
    expect(ssm.requests).toHaveLength(4);
  });

  it('rides out transient 500s through the SDK retries', async () => {
    ssm.failNext = 2;
    expect(await new SsmBearerTokenSource('/tp/token', parameters()).token()).toBe(TOKEN);
    expect(ssm.requests).toHaveLength(3);
  });

  it('names the parameter, not its value, when it is missing', async () => {
    const error = await new SsmBearerTokenSource('/tp/missing', parameters()).token().catch((e) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ service: 'SSM', errorName: 'ParameterNotFound', retryable: false });
    expect(error.message).toContain('/tp/missing');
  });

  it('serialises to its parameter name only', () => {
    const source = new SsmBearerTokenSource('/tp/token', parameters());
    expect(JSON.stringify(source)).toBe('{"kind":"ssm","parameter":"/tp/token"}');
    expect(JSON.stringify(new EnvBearerTokenSource(TOKEN))).not.toContain(TOKEN);
  });
});
