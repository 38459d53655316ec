import { MAX_QUERY_LENGTH, type QueryNode, QuerySyntaxError } from './ast.js';
import { lex, type QueryToken } from './lexer.js';

const USERNAME = /^[A-Za-z0-9_]{1,15}$/;
const LANG = /^[a-z]{2,3}$/;
const IS_VALUES = ['retweet', 'reply', 'quote'] as const;
const HAS_VALUES = ['links', 'mentions', 'hashtags'] as const;
const INVALID_OPERATOR_TAIL =
  'Operator is not available in current product or product packaging. Please refer to complete available ' +
  'operator list at https://developer.twitter.com/en/docs/twitter-api/tweets/search/integrate/build-a-query#list.';

function invalidOperator(name: string, pos: number): QuerySyntaxError {
  return new QuerySyntaxError(`Reference to invalid operator '${name}'. ${INVALID_OPERATOR_TAIL}`, pos);
}

function operator(name: string, value: string, pos: number): QueryNode {
  switch (name) {
    case 'from':
    case 'to':
      if (!USERNAME.test(value)) throw new QuerySyntaxError(`Invalid username '${value}'`, pos);
      return { type: name, value: value.toLowerCase() };
    case 'lang':
      if (!LANG.test(value)) throw new QuerySyntaxError(`Invalid language code '${value}'`, pos);
      return { type: 'lang', value };
    case 'is': {
      const v = IS_VALUES.find((x) => x === value);
      if (v === undefined) throw invalidOperator(`is:${value}`, pos);
      return { type: 'is', value: v };
    }
    case 'has': {
      const v = HAS_VALUES.find((x) => x === value);
      if (v === undefined) throw invalidOperator(`has:${value}`, pos);
      return { type: 'has', value: v };
    }
    default:
      throw invalidOperator(name, pos);
  }
}

function term(text: string, pos: number): QueryNode {
  const colon = text.indexOf(':');
  if (colon > 0 && /^[a-z_]+$/i.test(text.slice(0, colon)) && !text.startsWith('//', colon + 1)) {
    const value = text.slice(colon + 1);
    if (value === '') throw new QuerySyntaxError(`no viable alternative at input '${text}'`, pos);
    return operator(text.slice(0, colon).toLowerCase(), value, pos);
  }
  if (text.startsWith('@')) {
    const name = text.slice(1);
    if (!USERNAME.test(name)) throw new QuerySyntaxError(`Invalid mention '${text}'`, pos);
    return { type: 'mention', value: name.toLowerCase() };
  }
  if (text.startsWith('#')) {
    const tag = text.slice(1);
    if (!/^[\p{L}\p{N}_]+$/u.test(tag)) throw new QuerySyntaxError(`Invalid hashtag '${text}'`, pos);
    return { type: 'hashtag', value: tag };
  }
  if (text.startsWith('$')) throw invalidOperator('$', pos);
  return { type: 'word', value: text };
}

function positive(node: QueryNode): boolean {
  switch (node.type) {
    case 'not':
      return false;
    case 'and':
      return node.items.some(positive);
    case 'or':
      return node.items.every(positive);
    default:
      return true;
  }
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: readonly QueryToken[]) {}

  parseQuery(): QueryNode {
    const node = this.parseOr();
    const extra = this.tokens[this.at];
    if (extra !== undefined) throw new QuerySyntaxError(`extraneous input '${extra.kind}'`, extra.pos);
    return node;
  }

  private parseOr(): QueryNode {
    const items = [this.parseAnd()];
    while (this.tokens[this.at]?.kind === 'OR') {
      this.at++;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  private parseAnd(): QueryNode {
    const items: QueryNode[] = [];
    for (let t = this.tokens[this.at]; t !== undefined && t.kind !== 'OR' && t.kind !== ')'; ) {
      items.push(this.parseUnary());
      t = this.tokens[this.at];
    }
    if (items.length === 0) {
      const t = this.tokens[this.at];
      const input = t === undefined ? '<EOF>' : t.kind;
      throw new QuerySyntaxError(`no viable alternative at input '${input}'`, t?.pos ?? 1);
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  private parseUnary(): QueryNode {
    const t = this.tokens[this.at++]!;
    if (t.kind === 'neg-group' || t.kind === '(') {
      if (t.kind === 'neg-group') this.at++;
      const inner = this.parseOr();
      const close = this.tokens[this.at];
      if (close?.kind !== ')') throw new QuerySyntaxError("missing ')'", close?.pos ?? t.pos);
      this.at++;
      return t.kind === 'neg-group' ? { type: 'not', item: inner } : inner;
    }
    if (t.kind === 'phrase' || t.kind === 'term') {
      const node: QueryNode = t.kind === 'phrase' ? { type: 'phrase', value: t.text } : term(t.text, t.pos);
      return t.negated ? { type: 'not', item: node } : node;
    }
    throw new QuerySyntaxError(`no viable alternative at input '${t.kind}'`, t.pos);
  }
}

/**
 * Parses a search query. Juxtaposition is AND and binds tighter than OR, as on X.
 * @throws QuerySyntaxError for bad syntax, unsupported operators, over-long or purely negative queries.
 */
export function parseQuery(query: string): QueryNode {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(
      `Query is too long, must be no longer than ${MAX_QUERY_LENGTH} characters`,
      MAX_QUERY_LENGTH + 1,
    );
  }
  const node = new Parser(lex(query)).parseQuery();
  if (!positive(node)) throw new QuerySyntaxError('Rules must contain a non-negation term', 1);
  return node;
}
