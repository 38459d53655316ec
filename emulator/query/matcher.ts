import { escapeRegExp, PostFlag, type PostStore, type UserStore } from '../world/index.js';
import type { QueryNode } from './ast.js';

/** A compiled query: true when post index `i` matches. */
export type PostPredicate = (i: number) => boolean;

const B = '[\\p{L}\\p{N}_]';

function textTest(posts: PostStore, pattern: string): PostPredicate {
  const re = new RegExp(pattern, 'iu');
  const text = posts.text;
  return (i) => re.test(text[i]!);
}

const FLAG = {
  retweet: PostFlag.retweet,
  reply: PostFlag.reply,
  quote: PostFlag.quote,
  links: PostFlag.links,
  mentions: PostFlag.mentions,
  hashtags: PostFlag.hashtags,
} as const;

/** Compiles a query tree into a predicate over the store (keywords are case-insensitive token matches). */
export function compileQuery(node: QueryNode, posts: PostStore, users: UserStore): PostPredicate {
  switch (node.type) {
    case 'and': {
      const parts = node.items.map((n) => compileQuery(n, posts, users));
      return (i) => parts.every((p) => p(i));
    }
    case 'or': {
      const parts = node.items.map((n) => compileQuery(n, posts, users));
      return (i) => parts.some((p) => p(i));
    }
    case 'not': {
      const inner = compileQuery(node.item, posts, users);
      return (i) => !inner(i);
    }
    case 'word':
      return textTest(posts, `(?<!${B})${escapeRegExp(node.value)}(?!${B})`);
    case 'phrase': {
      const words = node.value.split(/\s+/).map(escapeRegExp);
      // Punctuation between the words does not break a phrase (tokens, not characters).
      return textTest(posts, `(?<!${B})${words.join('[^\\p{L}\\p{N}_]+')}(?!${B})`);
    }
    case 'mention':
      return textTest(posts, `(?<![\\p{L}\\p{N}_@])@${escapeRegExp(node.value)}(?![A-Za-z0-9_@])`);
    case 'hashtag':
      return textTest(posts, `(?<![\\p{L}\\p{N}_&#])#${escapeRegExp(node.value)}(?!${B})`);
    case 'from':
    case 'to': {
      const u = users.indexOfUsername(node.value) ?? users.byId.get(node.value) ?? -1;
      if (node.type === 'from') return (i) => posts.author[i] === u;
      return (i) => posts.replyTo[i] === u;
    }
    case 'lang':
      return (i) => posts.langOf(i) === node.value;
    case 'is':
    case 'has': {
      const flag = FLAG[node.value];
      return (i) => (posts.flags[i]! & flag) !== 0;
    }
  }
}
