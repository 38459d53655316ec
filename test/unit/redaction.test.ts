import { describe, expect, it } from 'vitest';
import { mapHttpError } from '../../src/adapters/x-api/error-mapping.js';
import { redactSecrets, redactValue } from '../../src/core/redaction.js';

const TOKEN = 'AAAAsecret%2Btoken%3D';

describe('redactSecrets', () => {
  it.each([
    ['the token itself', `got ${TOKEN} back`, 'got [REDACTED] back'],
    ['a Bearer header of the token', `Authorization: Bearer ${TOKEN}`, 'Authorization: Bearer [REDACTED]'],
    [
      'a Bearer header of another credential',
      'authorization: bearer abc.DEF-123_~+/==',
      'authorization: Bearer [REDACTED]',
    ],
    ['a URL-encoded Bearer', 'h=Bearer%20xyz123456789abc', 'h=Bearer [REDACTED]'],
    ['the JSON-escaped token', JSON.stringify({ t: 'AAAA"quoted"secret' }), '{"t":"[REDACTED]"}'],
  ])('replaces %s', (_what, text, expected) => {
    expect(redactSecrets(text, [TOKEN, 'AAAA"quoted"secret'])).toBe(expected);
  });

  it('leaves a text without secrets alone', () => {
    expect(redactSecrets('search_recent: HTTP 403 Forbidden', [TOKEN])).toBe(
      'search_recent: HTTP 403 Forbidden',
    );
    const prose = 'HTTP 401: the bearer token was rejected (missing, wrong or revoked)';
    expect(redactSecrets(prose, [TOKEN])).toBe(prose);
  });

  it('redacts every string of a summary, nested', () => {
    const summary = { streams: [{ stream: 's', error: `HTTP 400 ${TOKEN}` }], n: 3, ok: null };
    expect(redactValue(summary, [TOKEN])).toEqual({
      streams: [{ stream: 's', error: 'HTTP 400 [REDACTED]' }],
      n: 3,
      ok: null,
    });
  });
});

describe('mapHttpError', () => {
  it('redacts an echoed Authorization header where the message is built from the body', () => {
    const body = JSON.stringify({ title: 'Forbidden', detail: `you sent Bearer ${TOKEN} and ${TOKEN}` });
    const error = mapHttpError(403, 'search_recent', body, 'application/json', {}, [TOKEN]);
    expect(error.message).toBe(
      'search_recent: HTTP 403 Forbidden: you sent Bearer [REDACTED] and [REDACTED]',
    );
  });
});
