import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRateLimitHeaders, parseRetryAfter } from '../../src/core/rate-limit-headers.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('parseRateLimitHeaders', () => {
  it.each([
    [
      'the 15-minute window',
      { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': '1618286938' },
      { limit: 450, remaining: 449, resetAtMs: 1618286938000 },
    ],
    [
      'remaining 0',
      { 'x-rate-limit-limit': '60', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '1700000000' },
      { limit: 60, remaining: 0, resetAtMs: 1700000000000 },
    ],
    [
      'with the app 24-hour limit',
      {
        'x-rate-limit-limit': '300',
        'x-rate-limit-remaining': '10',
        'x-rate-limit-reset': '1700000000',
        'x-app-limit-24hour-limit': '17',
        'x-app-limit-24hour-remaining': '0',
        'x-app-limit-24hour-reset': '1700050000',
      },
      {
        limit: 300,
        remaining: 10,
        resetAtMs: 1700000000000,
        day: { limit: 17, remaining: 0, resetAtMs: 1700050000000 },
      },
    ],
    [
      'with the user 24-hour limit only',
      {
        'x-user-limit-24hour-limit': '50',
        'x-user-limit-24hour-remaining': '3',
        'x-user-limit-24hour-reset': '1700050000',
      },
      {
        limit: 50,
        remaining: 3,
        resetAtMs: 1700050000000,
        day: { limit: 50, remaining: 3, resetAtMs: 1700050000000 },
      },
    ],
    ['no headers', {}, undefined],
    ['a missing reset', { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '1' }, undefined],
    [
      'a non-numeric value',
      { 'x-rate-limit-limit': 'lots', 'x-rate-limit-remaining': '1', 'x-rate-limit-reset': '1700000000' },
      undefined,
    ],
    [
      'a negative value',
      { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '-1', 'x-rate-limit-reset': '1700000000' },
      undefined,
    ],
  ])('parses %s', (_name, input, expected) => {
    expect(parseRateLimitHeaders(headers(input))).toEqual(expected);
  });
});

describe('parseHttpDate', () => {
  it.each([
    ['Tue, 13 Apr 2021 03:53:58 GMT', Date.UTC(2021, 3, 13, 3, 53, 58)],
    ['Tue, 13 Apr 2021 03:53:58 UTC', Date.UTC(2021, 3, 13, 3, 53, 58)],
    ['yesterday', undefined],
    [null, undefined],
  ])('parses %s', (value, expected) => {
    expect(parseHttpDate(value)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2021, 3, 13, 3, 53, 58);
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Tue, 13 Apr 2021 03:54:08 GMT', 10_000],
    ['Tue, 13 Apr 2021 03:53:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('parses %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
