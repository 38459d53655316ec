/** What a stream is: a source plus its own checkpoint. Built by config/, consumed by the poll loop. */

/** Where a stream without a checkpoint starts. */
export type InitialPosition =
  | { readonly kind: 'now' }
  | { readonly kind: 'lookback'; readonly ms: number }
  | { readonly kind: 'since_id'; readonly id: string };

export type StreamSource =
  | { readonly kind: 'search'; readonly query: string; readonly archive: boolean }
  /**
   * `user` is a username or a numeric id; a username is resolved once and kept in the checkpoint.
   * `by` says which (config sets it: `@name` and `user:` mean a username, `id:` an id); without it an
   * all-digit `user` is an id.
   */
  | {
      readonly kind: 'timeline';
      readonly user: string;
      readonly exclude: readonly ('replies' | 'retweets')[];
      readonly by?: UserKey;
    }
  | { readonly kind: 'mentions'; readonly user: string; readonly by?: UserKey };

/** Whether a stream's `user` is an account id or a username. */
export type UserKey = 'id' | 'username';

export interface StreamSpec {
  /** Unique key of the checkpoint. */
  readonly name: string;
  readonly source: StreamSource;
  /** @default ['created_at','author_id','conversation_id','lang','public_metrics','referenced_tweets','entities'] */
  readonly tweetFields: readonly string[];
  /** @default [] */
  readonly userFields: readonly string[];
  /** @default ['author_id'] */
  readonly expansions: readonly string[];
  /** @default { kind: 'now' } */
  readonly initial: InitialPosition;
  /** Re-read this many seconds behind since_id to catch late arrivals. @default 0 */
  readonly overlapSeconds: number;
  /**
   * Its part of a run's budgets (posts, requests, time) relative to the other streams: a stream of
   * weight 2 gets twice the share of one of weight 1 while both have a backlog. A positive number.
   * @default 1
   */
  readonly weight?: number;
}

export const DEFAULT_TWEET_FIELDS = [
  'created_at',
  'author_id',
  'conversation_id',
  'lang',
  'public_metrics',
  'referenced_tweets',
  'entities',
] as const;
export const DEFAULT_EXPANSIONS = ['author_id'] as const;
