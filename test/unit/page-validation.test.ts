import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../../src/core/errors.js';
import { validatePage } from '../../src/core/page-validation.js';

const bounds = { sinceId: '100', untilId: '200' };
const page = (ids: unknown[], extra: Record<string, unknown> = {}) => ({
  data: ids.map((id) => ({ id, text: 't' })),
  meta: { result_count: ids.length },
  ...extra,
});

describe('validatePage', () => {
  it.each([
    ['not an object', 'hello'],
    ['no meta', { data: [] }],
    ['a numeric id', page([150])],
    ['a non-numeric id', page(['15a'])],
    ['an id above 2^63', page(['99999999999999999999'])],
    ['ascending ids', page(['150', '160'])],
    ['a repeated id', page(['150', '150'])],
    ['an id at since_id', page(['150', '100'])],
    ['an id at until_id', page(['200'])],
    ['data not an array', { data: { id: '150' }, meta: { result_count: 1 } }],
    ['an empty next_token', page(['150'], { meta: { result_count: 1, next_token: '' } })],
    ['includes not lists', page(['150'], { includes: { users: 'x' } })],
  ])('rejects %s', (_name, body) => {
    expect(() => validatePage(body, 'search_recent', bounds)).toThrow(InvalidResponseError);
  });

  it('accepts strictly descending ids inside the bounds, compared as BigInt', () => {
    const body = page(['199', '101']);
    expect(validatePage(body, 'search_recent', bounds)).toBe(body);
    const big = { sinceId: '999', untilId: undefined };
    expect(() => validatePage(page(['10000', '1000']), 'search_recent', big)).not.toThrow();
  });

  it('accepts the empty page', () => {
    expect(validatePage({ meta: { result_count: 0 } }, 'search_recent', bounds)).toEqual({
      meta: { result_count: 0 },
    });
  });

  it('marks bad content as not retryable', () => {
    try {
      validatePage(page(['x']), 'search_recent', bounds);
    } catch (err) {
      expect((err as InvalidResponseError).retryable).toBe(false);
      return;
    }
    throw new Error('expected a failure');
  });
});
