import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configFileJsonSchemaText } from '../../src/config/json-schema.js';

const SCHEMA_PATH = new URL('../../docs/streams.schema.json', import.meta.url);

describe('docs/streams.schema.json', () => {
  it('is what the config schema generates (run `npm run schema` after changing src/config/file-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(configFileJsonSchemaText());
  });

  const validate = new Ajv2020.default({ strict: false }).compile(
    JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')),
  );

  it.each([
    [{ streams: [{ query: 'a' }] }, true],
    [
      { streams: [{ user: 'a', exclude: ['replies'] }], time_budget_seconds: '10m', min_interval_ms: 0 },
      true,
    ],
    [{ streams: [{ mentions: 'a', initial: '1578516068309794817' }], log_level: 'debug' }, true],
    [{ streams: [] }, false],
    [{ streams: [{ query: 'a', user: 'b' }] }, false],
    [{ streams: [{ querry: 'a' }] }, false],
    [{ streams: [{ query: 'a' }], time_budget_seconds: '10 minutes' }, false],
    [{ streams: [{ query: 'a' }], log_level: 'loud' }, false],
    [{ streams: [{ query: 'a' }], max_tweets: 0 }, false],
  ])('accepts %j: %s', (config, expected) => {
    expect(validate(config)).toBe(expected);
  });
});
