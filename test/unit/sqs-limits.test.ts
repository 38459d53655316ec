import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fifoGroupId, isSqsBodyText, sqsSafeJson } from '../../src/adapters/sinks/sqs-limits.js';

/** SQS's MessageGroupId rule: 1-128 characters of a-z A-Z 0-9 and ASCII punctuation. */
const GROUP_ID = /^[!-~]{1,128}$/;

describe('fifoGroupId', () => {
  it.each([['news'], ['search:from:XDevelopers'], ['timeline:@12345']])(
    'keeps %s, which SQS accepts',
    (name) => {
      expect(fifoGroupId(name)).toBe(name);
    },
  );

  it('maps a name with spaces to safe characters plus a hash of the whole name', () => {
    const id = fifoGroupId('search:from:XDevelopers -is:retweet');
    expect(id).toMatch(/^search:from:XDevelopers_-is:retweet~[0-9a-f]{16}$/);
    expect(id).toBe(fifoGroupId('search:from:XDevelopers -is:retweet')); // stable
    expect(id).not.toBe(fifoGroupId('search:from:XDevelopers_-is:retweet'));
  });

  it('maps every stream name into SQS rules, and two names never to one id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        fc.pre(a !== '' && b !== '' && a !== b);
        expect(fifoGroupId(a)).toMatch(GROUP_ID);
        expect(fifoGroupId(a)).not.toBe(fifoGroupId(b));
      }),
    );
  });
});

describe('sqsSafeJson', () => {
  it('escapes U+FFFE and U+FFFF, and parses back to the same post', () => {
    const post = { id: '1', text: 'a\uFFFEb\uFFFFc \u0000 \uD800 😀' };
    const text = sqsSafeJson(post);
    expect(isSqsBodyText(JSON.stringify(post))).toBe(false);
    expect(isSqsBodyText(text)).toBe(true);
    expect(JSON.parse(text)).toEqual(post);
  });

  it('gives a body SQS accepts for any post text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (t) => {
        const text = sqsSafeJson({ id: '1', text: t });
        expect(isSqsBodyText(text)).toBe(true);
        expect((JSON.parse(text) as { text: string }).text).toBe(t);
      }),
    );
  });
});
