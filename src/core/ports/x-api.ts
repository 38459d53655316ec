/** The raw X API v2 port: one HTTP request, one response. Pacing and retries live in core. */

/** The endpoints a poller uses, as `as const` names used in logs and rate-limit buckets. */
export const Endpoint = {
  searchRecent: 'search_recent',
  searchAll: 'search_all',
  userTweets: 'user_tweets',
  userMentions: 'user_mentions',
  userByUsername: 'user_by_username',
  usageTweets: 'usage_tweets',
} as const;
export type EndpointName = (typeof Endpoint)[keyof typeof Endpoint];

/** A post as the API returns it: `id` is always a string; every other field passes through untouched. */
export interface Tweet {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** `includes` as the API returns it (users, tweets, media, places, polls). */
export type Includes = Readonly<Record<string, readonly Record<string, unknown>[]>>;

/** One problem object of a response's `errors` array (partial errors arrive with HTTP 200). */
export interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly type?: string;
  readonly [field: string]: unknown;
}

/** The envelope of a page of posts. */
export interface TweetPage {
  readonly data?: readonly Tweet[];
  readonly includes?: Includes;
  readonly errors?: readonly Problem[];
  readonly meta: {
    readonly result_count: number;
    readonly newest_id?: string;
    readonly oldest_id?: string;
    readonly next_token?: string;
    readonly previous_token?: string;
  };
}

/** Rate-limit headers of one response. Reset instants are epoch milliseconds (the header holds seconds). */
export interface RateLimitSnapshot {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAtMs: number;
  /** `x-app-limit-24hour-*` or `x-user-limit-24hour-*`, when present. */
  readonly day?: { readonly limit: number; readonly remaining: number; readonly resetAtMs: number };
}

/** One GET request. `params` are query-string parameters, already in the API's names. */
export interface ApiRequest {
  readonly endpoint: EndpointName;
  /** Path below the base URL, e.g. `/2/tweets/search/recent` or `/2/users/123/tweets`. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A successful (2xx) response. Non-2xx responses are thrown as ApiError subclasses (see errors.ts). */
export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly rateLimit?: RateLimitSnapshot;
  /** The server's `Date` header in epoch ms, to measure resets against the server's clock. */
  readonly serverDateMs?: number;
}

/** The HTTP client port. Implementations translate every failure into the errors of core/errors.ts. */
export interface XApi {
  get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>>;
}
