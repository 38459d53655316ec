/**
 * The adoption settings (table key and legacy since_id attributes, payload format, Invoke type) in
 * the three places they can be set: the Lambda environment, the command line and the config file.
 * Each bad value is a ConfigError naming the setting.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/config/cli-args.js';
import { readLambdaEnv } from '../../src/config/lambda-env.js';
import { ConfigError } from '../../src/core/errors.js';

const LAMBDA = {
  CHECKPOINT_TABLE: 'old-checkpoints',
  BEARER_TOKEN_PARAMETER: '/old/token',
  SINK: 'lambda:parser',
  STREAMS: JSON.stringify([{ query: 'news' }]),
};
const POLL = ['poll', '--query', 'news', '--store', 'dynamodb:old-checkpoints', '--sink', 'lambda:parser'];
const TOKEN = { X_BEARER_TOKEN: 't' };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-adoption-config-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function settingOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return `${error.setting}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

async function asyncSettingOf(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ConfigError) return `${error.setting}: ${error.message}`;
  throw error ?? new Error('expected a ConfigError');
}

describe('adoption settings', () => {
  it('default to a table keyed by stream with since_id, envelope payloads and Event invocations', async () => {
    expect(readLambdaEnv(LAMBDA)).toMatchObject({
      layout: { keyAttribute: 'stream', legacySinceIdAttribute: 'since_id' },
      payloadFormat: 'envelope',
      invocationType: 'Event',
    });
    expect(await parseCliArgs(POLL, TOKEN)).toMatchObject({
      dynamodbLayout: { keyAttribute: 'stream', legacySinceIdAttribute: 'since_id' },
      payloadFormat: 'envelope',
      invocationType: 'Event',
    });
  });

  it('read the Lambda variables', () => {
    const config = readLambdaEnv({
      ...LAMBDA,
      CHECKPOINT_KEY_ATTRIBUTE: 'feed',
      LEGACY_SINCE_ID_ATTRIBUTE: 'last_id',
      PAYLOAD_FORMAT: 'array',
      INVOCATION_TYPE: 'RequestResponse',
    });
    expect(config).toMatchObject({
      layout: { keyAttribute: 'feed', legacySinceIdAttribute: 'last_id' },
      payloadFormat: 'array',
      invocationType: 'RequestResponse',
    });
  });

  it('read the flags, which beat the config file keys', async () => {
    const file = join(dir, 'streams.yaml');
    await writeFile(
      file,
      'streams: [{ query: news }]\ndynamodb_key: feed\nlegacy_since_id_attribute: last_id\npayload_format: tweets\ninvocation_type: RequestResponse\n',
    );
    expect(await parseCliArgs(['poll', '--config', file], TOKEN)).toMatchObject({
      dynamodbLayout: { keyAttribute: 'feed', legacySinceIdAttribute: 'last_id' },
      payloadFormat: 'tweets',
      invocationType: 'RequestResponse',
    });
    expect(
      await parseCliArgs(
        [
          'poll',
          '--config',
          file,
          '--dynamodb-key',
          'id',
          '--payload-format',
          'array',
          '--invocation-type',
          'Event',
        ],
        TOKEN,
      ),
    ).toMatchObject({
      dynamodbLayout: { keyAttribute: 'id', legacySinceIdAttribute: 'last_id' },
      payloadFormat: 'array',
      invocationType: 'Event',
    });
    expect(await parseCliArgs(['status', '--config', file], {})).toMatchObject({
      dynamodbLayout: { keyAttribute: 'feed', legacySinceIdAttribute: 'last_id' },
    });
  });

  it.each([
    [
      { PAYLOAD_FORMAT: 'xml' },
      'PAYLOAD_FORMAT: invalid environment variable PAYLOAD_FORMAT: must be one of envelope, tweets, array, got "xml"',
    ],
    [
      { INVOCATION_TYPE: 'DryRun' },
      'INVOCATION_TYPE: invalid environment variable INVOCATION_TYPE: must be one of Event, RequestResponse, got "DryRun"',
    ],
    [
      { CHECKPOINT_KEY_ATTRIBUTE: 'lease_fence' },
      'CHECKPOINT_KEY_ATTRIBUTE: invalid CHECKPOINT_KEY_ATTRIBUTE: "lease_fence" is an attribute this poller writes itself',
    ],
    [
      { LEGACY_SINCE_ID_ATTRIBUTE: 'frontier_since_id' },
      'LEGACY_SINCE_ID_ATTRIBUTE: invalid LEGACY_SINCE_ID_ATTRIBUTE: "frontier_since_id" is an attribute this poller writes itself',
    ],
    [
      { CHECKPOINT_KEY_ATTRIBUTE: 'id', LEGACY_SINCE_ID_ATTRIBUTE: 'id' },
      'LEGACY_SINCE_ID_ATTRIBUTE: invalid LEGACY_SINCE_ID_ATTRIBUTE: must differ from the key attribute "id"',
    ],
  ])('refuse the Lambda environment %j naming the variable', (extra, expected) => {
    expect(settingOf(() => readLambdaEnv({ ...LAMBDA, ...extra }))).toBe(expected);
  });

  it.each([
    [['--payload-format', 'xml'], '--payload-format'],
    [['--invocation-type', 'event'], '--invocation-type'],
    [['--dynamodb-key', 'a b'], '--dynamodb-key'],
    [['--legacy-since-id-attribute', 'writer'], '--legacy-since-id-attribute'],
  ])('refuse the flags %j naming the flag', async (flags, setting) => {
    expect(await asyncSettingOf(() => parseCliArgs([...POLL, ...flags], TOKEN))).toMatch(
      new RegExp(`^${setting}: invalid ${setting}: `),
    );
  });

  it('refuses a bad config file key naming it', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'streams: [{ query: news }]\npayload_format: xml\n');
    expect(await asyncSettingOf(() => parseCliArgs(['poll', '--config', file], TOKEN))).toContain(
      'payload_format',
    );
  });
});
