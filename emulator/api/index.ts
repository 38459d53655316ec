/**
 * The X API's contract, without I/O: the endpoints and their routes, the parameters and fields each
 * accepts, the problem bodies it answers with, and the JSON of a tweet and of a user. Imports world/ only.
 */
export { DEFAULT_RATE_LIMITS, ENDPOINT, ENDPOINT_KEYS, type EndpointKey, routeOf } from './endpoints.js';
export { TWEET_EXPANSIONS, TWEET_FIELDS, tweetFieldMask, USER_FIELDS } from './fields.js';
export { renderTweet, renderUser } from './objects.js';
export {
  ALLOWED_PARAMS,
  BadRequest,
  readId,
  readList,
  readMaxResults,
  readParams,
  readTime,
} from './params.js';
export {
  type ApiResponse,
  CREDITS_DEPLETED,
  htmlError,
  invalidParam,
  invalidRequest,
  NOT_FOUND,
  SERVER_ERRORS,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
  USAGE_CAPPED,
  userNotFound,
} from './problems.js';
