import fc from 'fast-check';
import { HASHTAGS, WORDS } from '../../emulator/world/index.js';

/** A query term; user operators hold an index into the world's users, resolved after reset. */
export type Term =
  | { readonly kind: 'word' | 'phrase' | 'hashtag' | 'lang' | 'is' | 'has'; readonly text: string }
  | { readonly kind: 'from' | 'to' | 'mention'; readonly user: number };

/** A query in disjunctive shape: OR of groups, each a positive term plus optional extra terms. */
export interface QueryShape {
  readonly groups: readonly {
    readonly first: Term;
    readonly rest: readonly { term: Term; negated: boolean }[];
  }[];
}

const words = [...WORDS.en.filter((w) => !w.includes("'")), ...WORDS.es.slice(0, 6), 'zzznope'];

const term: fc.Arbitrary<Term> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...words).map((text) => ({ kind: 'word' as const, text })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...words), fc.constantFrom(...words))
      .map(([a, b]) => ({ kind: 'phrase' as const, text: `${a} ${b}` })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...HASHTAGS).map((text) => ({ kind: 'hashtag' as const, text })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('en', 'es', 'fr', 'ja').map((text) => ({ kind: 'lang' as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('retweet', 'reply', 'quote').map((text) => ({ kind: 'is' as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('links', 'mentions', 'hashtags')
      .map((text) => ({ kind: 'has' as const, text })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('from', 'to', 'mention') as fc.Arbitrary<'from' | 'to' | 'mention'>, fc.nat(30))
      .map(([kind, user]) => ({ kind, user })),
  },
);

/** Random valid queries of the supported grammar. */
export const queryShape: fc.Arbitrary<QueryShape> = fc.record({
  groups: fc.array(
    fc.record({
      first: term,
      rest: fc.array(fc.record({ term, negated: fc.boolean() }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

function renderTerm(t: Term, usernames: readonly string[]): string {
  switch (t.kind) {
    case 'word':
      return t.text;
    case 'phrase':
      return `"${t.text}"`;
    case 'hashtag':
      return `#${t.text}`;
    case 'lang':
    case 'is':
    case 'has':
      return `${t.kind}:${t.text}`;
    case 'mention':
      return `@${usernames[t.user % usernames.length]}`;
    default:
      return `${t.kind}:${usernames[t.user % usernames.length]}`;
  }
}

/** The query string of a shape, with user indexes resolved against `usernames`. */
export function renderQuery(shape: QueryShape, usernames: readonly string[]): string {
  return shape.groups
    .map((g) => {
      const parts = [
        renderTerm(g.first, usernames),
        ...g.rest.map((r) => `${r.negated ? '-' : ''}${renderTerm(r.term, usernames)}`),
      ];
      return shape.groups.length > 1 && parts.length > 1 ? `(${parts.join(' ')})` : parts.join(' ');
    })
    .join(' OR ');
}
