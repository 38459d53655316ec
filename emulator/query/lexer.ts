import { QuerySyntaxError } from './ast.js';

/** One lexical token of a query. */
export type QueryToken =
  | { readonly kind: '(' | ')' | 'OR'; readonly pos: number }
  | {
      readonly kind: 'term' | 'phrase';
      readonly pos: number;
      readonly text: string;
      readonly negated: boolean;
    }
  | { readonly kind: 'neg-group'; readonly pos: number };

const SPACE = /\s/;

/** Splits a query into tokens; throws {@link QuerySyntaxError} on unterminated quotes. */
export function lex(query: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '(' || c === ')') {
      tokens.push({ kind: c, pos });
      i++;
      continue;
    }
    let negated = false;
    if (c === '-' && i + 1 < query.length && !SPACE.test(query.charAt(i + 1))) {
      negated = true;
      i++;
      if (query.charAt(i) === '(') {
        tokens.push({ kind: 'neg-group', pos });
        continue;
      }
    }
    if (query.charAt(i) === '"') {
      const close = query.indexOf('"', i + 1);
      if (close < 0) throw new QuerySyntaxError('Unterminated quoted phrase', pos);
      const text = query.slice(i + 1, close).trim();
      if (text === '') throw new QuerySyntaxError('Empty quoted phrase', pos);
      tokens.push({ kind: 'phrase', pos, text, negated });
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < query.length && !SPACE.test(query.charAt(end)) && !'()"'.includes(query.charAt(end))) end++;
    const text = query.slice(i, end);
    if (text === '') throw new QuerySyntaxError(`no viable alternative at input '${query.charAt(i)}'`, pos);
    tokens.push(text === 'OR' && !negated ? { kind: 'OR', pos } : { kind: 'term', pos, text, negated });
    i = end;
  }
  return tokens;
}
