/** The emulated endpoints, keyed by the names used in options, the CLI and the admin API. */
export const ENDPOINT = {
  searchRecent: 'search_recent',
  searchAll: 'search_all',
  userTweets: 'user_tweets',
  userMentions: 'user_mentions',
  userByUsername: 'user_by_username',
  usageTweets: 'usage_tweets',
} as const;

/** An endpoint key. */
export type EndpointKey = (typeof ENDPOINT)[keyof typeof ENDPOINT];

/** All endpoint keys. */
export const ENDPOINT_KEYS: readonly EndpointKey[] = Object.values(ENDPOINT);

/**
 * Requests per window per token, app-bearer defaults from FACTS.md (users/:id/tweets uses the older
 * 1,500 app tier, as in recorded traffic).
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<EndpointKey, number>> = {
  search_recent: 450,
  search_all: 300,
  user_tweets: 1500,
  user_mentions: 450,
  user_by_username: 300,
  usage_tweets: 50,
};

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Routes an API path to its endpoint and path parameter. */
export function routeOf(path: string): { endpoint: EndpointKey; param?: string } | undefined {
  if (path === '/2/tweets/search/recent') return { endpoint: ENDPOINT.searchRecent };
  if (path === '/2/tweets/search/all') return { endpoint: ENDPOINT.searchAll };
  if (path === '/2/usage/tweets') return { endpoint: ENDPOINT.usageTweets };
  const user = /^\/2\/users\/([^/]+)\/(tweets|mentions)$/.exec(path);
  if (user) {
    return {
      endpoint: user[2] === 'tweets' ? ENDPOINT.userTweets : ENDPOINT.userMentions,
      param: decode(user[1]!),
    };
  }
  const byName = /^\/2\/users\/by\/username\/([^/]+)$/.exec(path);
  if (byName) return { endpoint: ENDPOINT.userByUsername, param: decode(byName[1]!) };
  return undefined;
}
