/** Prefix of problem `type` URIs in real traffic. */
export const PROBLEM_PREFIX = 'https://api.twitter.com/2/problems/';

/** A response the emulator sends: status plus JSON body (or raw text for HTML proxy errors). */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

/** One entry of an invalid-request problem's `errors` array. */
export interface ParameterError {
  readonly parameters: Record<string, string[]>;
  readonly message: string;
}

/** HTTP 400 invalid-request problem, exactly as X sends it. */
export function invalidRequest(errors: readonly ParameterError[]): ApiResponse {
  return {
    status: 400,
    body: JSON.stringify({
      errors,
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: `${PROBLEM_PREFIX}invalid-request`,
    }),
  };
}

/** Shorthand for a single-parameter invalid request. */
export function invalidParam(name: string, value: string | undefined, message: string): ApiResponse {
  return invalidRequest([{ parameters: { [name]: value === undefined ? [] : [value] }, message }]);
}

function blank(status: number, title: string, contentType?: string): ApiResponse {
  const body = JSON.stringify({ title, type: 'about:blank', status, detail: title });
  return contentType === undefined ? { status, body } : { status, body, contentType };
}

/** The real 401 body. */
export const UNAUTHORIZED = blank(401, 'Unauthorized');
/** The real 429 body (window rate limit and the per-second limit of search/all). */
export const TOO_MANY_REQUESTS = blank(429, 'Too Many Requests');
/** 500, 502, 503 and 504 problem bodies (`type: about:blank`). */
export const SERVER_ERRORS = {
  500: blank(500, 'Internal Server Error'),
  502: blank(502, 'Bad Gateway', 'application/problem+json'),
  503: {
    status: 503,
    body: '{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}',
  },
  504: blank(504, 'Gateway Timeout', 'application/problem+json'),
} as const satisfies Record<number, ApiResponse>;

/** The monthly usage cap 429 body (rate-limit headers may still say remaining > 0). */
export const USAGE_CAPPED: ApiResponse = {
  status: 429,
  body: JSON.stringify({
    title: 'UsageCapExceeded',
    detail: 'Usage cap exceeded: Monthly product cap',
    type: `${PROBLEM_PREFIX}usage-capped`,
    period: 'Monthly',
    scope: 'Product',
  }),
};

/** HTML body a fronting proxy answers some 5xx with. */
export function htmlError(status: 502 | 503): ApiResponse {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    contentType: 'text/html',
  };
}

/** HTTP 200 carrying only a resource-not-found problem (unknown user), as recorded. */
export function userNotFound(parameter: 'username' | 'id', value: string): ApiResponse {
  const detail =
    parameter === 'username'
      ? `Could not find user with username: [${value}].`
      : `Could not find user with id: [${value}].`;
  return {
    status: 200,
    body: JSON.stringify({
      errors: [
        {
          value,
          detail,
          title: 'Not Found Error',
          resource_type: 'user',
          parameter,
          resource_id: value,
          type: `${PROBLEM_PREFIX}resource-not-found`,
        },
      ],
    }),
  };
}

/** 404 for routes the emulator does not serve (a generic problem, like the other non-400 errors). */
export const NOT_FOUND = blank(404, 'Not Found');

/**
 * The pay-per-use 402 once the credits are spent (FACTS.md: title `CreditsDepleted`, a problem body of
 * about 185 bytes; the type and detail wording are our best guess, unconfirmed).
 */
export const CREDITS_DEPLETED: ApiResponse = {
  status: 402,
  body: JSON.stringify({
    title: 'CreditsDepleted',
    detail: 'Your enrolled account [1712386475933949952] does not have any credits to fulfill this request.',
    type: `${PROBLEM_PREFIX}credits`,
  }),
};
