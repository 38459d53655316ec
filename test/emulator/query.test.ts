import { describe, expect, it } from 'vitest';
import { compileQuery, parseQuery, QuerySyntaxError } from '../../emulator/query/index.js';
import { LANG_CODES, PostFlag, PostStore, UserStore } from '../../emulator/world/index.js';

const users = new UserStore(
  ['alice', 'Bob_99'].map((username, i) => ({
    id: String(1000 + i),
    username,
    name: username,
    createdAt: '2020-01-01T00:00:00.000Z',
    description: '',
    location: '',
    verified: false,
    protected: false,
    followers: 0,
    following: 0,
    listed: 0,
  })),
);
const posts = new PostStore(2);
const TEXTS = [
  { text: 'Hello World from the API', author: 0, flags: 0, lang: 'en' },
  {
    text: '@alice happy birthday #Party https://t.co/abc',
    author: 1,
    flags: PostFlag.reply | PostFlag.mentions | PostFlag.hashtags | PostFlag.links,
    lang: 'en',
    replyTo: 0,
  },
  { text: 'RT @Bob_99: hola mundo', author: 0, flags: PostFlag.retweet | PostFlag.mentions, lang: 'es' },
  { text: 'worldwide news, world-class café', author: 1, flags: PostFlag.quote, lang: 'fr' },
];
TEXTS.forEach((t, i) => {
  posts.append(
    {
      ms: Date.UTC(2026, 0, 1) + i * 1000,
      author: t.author,
      text: t.text,
      lang: LANG_CODES.indexOf(t.lang as 'en'),
      flags: t.flags,
      ref: -1,
      replyTo: t.replyTo ?? -1,
      mentions: [],
      visibleAt: 0,
      editOf: 0n,
    },
    i,
  );
});

function matches(query: string): number[] {
  const predicate = compileQuery(parseQuery(query), posts, users);
  return TEXTS.map((_, i) => i).filter((i) => predicate(i));
}

describe('query language', () => {
  it.each([
    ['world', [0, 3]],
    ['WORLD', [0, 3]],
    ['hello world', [0]],
    ['"hello world"', [0]],
    ['"world hello"', []],
    ['"news world"', [3]],
    ['world -news', [0]],
    ['hello OR hola', [0, 2]],
    ['hello OR hola mundo', [0, 2]],
    ['(hello OR hola) -from:alice', []],
    ['from:alice', [0, 2]],
    ['from:ALICE world', [0]],
    ['to:alice', [1]],
    ['@alice', [1]],
    ['@bob_99', [2]],
    ['#party', [1]],
    ['party', [1]],
    ['lang:es', [2]],
    ['is:retweet OR is:quote', [2, 3]],
    ['is:reply', [1]],
    ['has:links', [1]],
    ['has:mentions -is:retweet', [1]],
    ['has:hashtags', [1]],
    ['café', [3]],
    ['worldwide', [3]],
  ])('%s matches posts %j', (query, expected) => {
    expect(matches(query)).toEqual(expected);
  });

  it('AND binds tighter than OR', () => {
    expect(parseQuery('a b OR c')).toEqual({
      type: 'or',
      items: [
        {
          type: 'and',
          items: [
            { type: 'word', value: 'a' },
            { type: 'word', value: 'b' },
          ],
        },
        { type: 'word', value: 'c' },
      ],
    });
  });

  it.each([
    ['place:berlin', "Reference to invalid operator 'place'"],
    ['is:verified x', "Reference to invalid operator 'is:verified'"],
    ['$TWTR', "Reference to invalid operator '$'"],
    ['a OR OR b', "no viable alternative at input 'OR'"],
    [')', "no viable alternative at input ')'"],
    ['(a b', "missing ')'"],
    ['a)', "extraneous input ')'"],
    ['from:', "no viable alternative at input 'from:'"],
    ['-a', 'Rules must contain a non-negation term'],
    ['', "no viable alternative at input '<EOF>'"],
  ])('%j is rejected: %s', (query, message) => {
    expect(() => parseQuery(query)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(query)).toThrow(message);
  });
});
