import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/file.js';
import { ConfigFileSchema, StreamListSchema, validate } from '../../src/config/file-schema.js';
import { ConfigError } from '../../src/core/errors.js';

function problem(text: string): string {
  try {
    parseConfigText(text, 'streams.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace('invalid config file streams.yaml: ', '');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the config file schema (zod/mini, no locale loaded)', () => {
  it.each([
    ['a missing key', 'max_tweets: 5\n', 'streams: is required'],
    ['a key of the wrong type', 'streams: "all of them"\n', 'streams: must be a list of streams'],
    ['an empty list', 'streams: []\n', 'streams: must list at least one stream'],
    ['a file that is not a mapping', 'hello\n', '(root): must be a mapping of settings'],
    [
      'an entry that is not a mapping',
      'streams:\n  - 3\n',
      'streams[0]: must be a mapping of stream settings',
    ],
    [
      'an unknown key in an entry',
      'streams:\n  - query: a\n    max_results: 5\n',
      'streams[0].max_results: unknown setting',
    ],
    ['an unknown top-level key', 'streams:\n  - query: a\nbogus: 1\n', 'bogus: unknown setting'],
    ['a blank query', 'streams:\n  - query: "  "\n', 'streams[0].query: must be a non-empty string'],
    [
      'a query too long',
      `streams:\n  - query: ${'x'.repeat(4097)}\n`,
      'streams[0].query: must be at most 4096 characters',
    ],
    [
      'a field name of the wrong type',
      'streams:\n  - query: a\n    tweet_fields: [1]\n',
      'streams[0].tweet_fields[0]: must be a non-empty string',
    ],
    [
      'archive as a string',
      'streams:\n  - query: a\n    archive: "yes"\n',
      'streams[0].archive: must be true or false',
    ],
    [
      'archive on a user stream',
      'streams:\n  - user: a\n    archive: true\n',
      'streams[0].archive: only applies to a query stream',
    ],
    [
      'two sources',
      'streams:\n  - query: a\n    user: b\n',
      'streams[0]: needs exactly one of query, user or mentions',
    ],
    [
      'a bad check value',
      'streams:\n  - query: a\nbatch_size: 0\n',
      'batch_size: must be a positive integer',
    ],
  ])('names the key and the reason for %s', (_case, text, expected) => {
    expect(problem(text)).toBe(expected);
  });

  it('trims strings and converts checked values', () => {
    const result = validate(ConfigFileSchema, {
      streams: [{ query: '  news  ', initial: '36h', overlap_seconds: '60' }],
      batch_size: 100,
      log_level: 'debug',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        streams: [{ query: 'news', initial: { kind: 'lookback', ms: 129_600_000 }, overlap_seconds: 60 }],
        batch_size: 100,
        log_level: 'debug',
      },
    });
  });

  it('validates a bare list of streams (the Lambda STREAMS variable) with the same rules', () => {
    expect(validate(StreamListSchema, [{ user: 'a', exclude: 'replies,retweets' }])).toEqual({
      ok: true,
      value: [{ user: 'a', exclude: ['replies', 'retweets'] }],
    });
    expect(validate(StreamListSchema, [{ query: 'a', name: '' }])).toEqual({
      ok: false,
      key: '[0].name',
      message: 'must be a non-empty string',
    });
  });
});
