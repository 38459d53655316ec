/** A parsed search query (the documented subset of X's search operators). */
export type QueryNode =
  | { readonly type: 'and' | 'or'; readonly items: readonly QueryNode[] }
  | { readonly type: 'not'; readonly item: QueryNode }
  | {
      readonly type: 'word' | 'phrase' | 'from' | 'to' | 'mention' | 'hashtag' | 'lang';
      readonly value: string;
    }
  | { readonly type: 'is'; readonly value: 'retweet' | 'reply' | 'quote' }
  | { readonly type: 'has'; readonly value: 'links' | 'mentions' | 'hashtags' };

/** A query the emulator refuses; `message` is the API's error message (without the request prefix). */
export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based character position, as the real API reports it. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'QuerySyntaxError';
  }

  /** The message the real API puts in `errors[0].message`. */
  apiMessage(): string {
    return `There were errors processing your request: ${this.message} (at position ${this.position})`;
  }
}

/** Maximum query length of the self-serve tiers. */
export const MAX_QUERY_LENGTH = 512;
