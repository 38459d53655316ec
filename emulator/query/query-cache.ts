import type { PostStore, UserStore } from '../world/index.js';
import { compileQuery, type PostPredicate } from './matcher.js';
import { parseQuery } from './parser.js';

interface Entry {
  readonly match: PostPredicate;
  /** Matching post indexes, ascending (= ids ascending). */
  readonly list: number[];
  scanned: number;
}

/** A query that is exactly one `from:` operator: served from the author index, never scanned. */
const FROM_ONLY = /^\s*from:([A-Za-z0-9_]{1,15})\s*$/;

/**
 * Compiled queries and their matching post lists, per query string. Lists are extended
 * incrementally as posts are appended, so a page is a binary search plus a slice. A bare
 * `from:user` query (the cheap way to run thousands of streams) reads the author index directly.
 */
export class QueryCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly posts: PostStore,
    private readonly users: UserStore,
    /** Most queries kept. @default 256 */
    private readonly capacity = 256,
  ) {}

  /**
   * Post indexes matching `query`, ascending.
   * @throws QuerySyntaxError when the query is invalid.
   */
  matching(query: string): readonly number[] {
    const from = FROM_ONLY.exec(query);
    const author = from === null ? undefined : this.users.indexOfUsername(from[1]!);
    // Same posts as the compiled `from:` predicate (posts.author[i] === u), ascending by index.
    if (author !== undefined) return this.posts.byAuthor[author]!;
    let entry = this.entries.get(query);
    if (entry === undefined) {
      entry = { match: compileQuery(parseQuery(query), this.posts, this.users), list: [], scanned: 0 };
      if (this.entries.size >= this.capacity) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(query, entry);
    }
    if (entry.scanned > this.posts.count) {
      entry.list.length = 0;
      entry.scanned = 0;
    }
    for (let i = entry.scanned; i < this.posts.count; i++) if (entry.match(i)) entry.list.push(i);
    entry.scanned = this.posts.count;
    return entry.list;
  }

  /** Forgets every cached query (after the corpus is regenerated or truncated). */
  clear(): void {
    this.entries.clear();
  }
}
