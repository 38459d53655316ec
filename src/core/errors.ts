/**
 * One error base class; subclasses carry structured context. None ever carries the bearer token,
 * and `toJSON()` never includes request headers. A subclass that knows whether trying again may help
 * (SinkError, InvalidResponseError, an adapter's AwsServiceError) declares `readonly retryable: boolean`;
 * `classifyError` (retry.ts) honours it.
 */
export class PollerError extends Error {
  override readonly name: string = 'PollerError';
  /** Stable machine-readable code, used in logs. */
  readonly code: string = 'poller_error';

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** What the client learned from a response's headers, error or not. */
export interface ResponseMeta {
  /** Parsed `x-rate-limit-*` (and 24-hour) headers, when present. */
  readonly rateLimit?: import('./ports/x-api.js').RateLimitSnapshot;
  /** The server's `Date` header (epoch ms), used to cancel clock skew. */
  readonly serverDateMs?: number;
  /** Retry-After in milliseconds, when the server sent one. */
  readonly retryAfterMs?: number;
}

/** The API answered with a non-2xx status (or a 200 made only of `errors`). */
export class ApiError extends PollerError {
  override readonly name: string = 'ApiError';
  override readonly code: string = 'api_error';
  constructor(
    message: string,
    readonly status: number,
    readonly endpoint: string,
    /** The problem+json `type`, when the body had one. */
    readonly problemType: string | undefined,
    /** Headers of the failed response (rate limit, Date, Retry-After). */
    readonly response: ResponseMeta = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      endpoint: this.endpoint,
      problem_type: this.problemType,
    };
  }
}

/** 401: the bearer token is missing, wrong or revoked. The message never contains the token. */
export class AuthenticationError extends ApiError {
  override readonly name = 'AuthenticationError';
  override readonly code = 'authentication';
}

/** 429 with the usage-capped problem type: the monthly cap is spent; waiting for the window does not help. */
export class UsageCapExceededError extends ApiError {
  override readonly name = 'UsageCapExceededError';
  override readonly code = 'usage_capped';
}

/**
 * 402 CreditsDepleted: the pay-per-use account has no credits left. Like the usage cap, waiting does
 * not help: every stream stops with its state saved, and the store records a "credits depleted" flag
 * so that later runs (and other processes) make only one probe request until the credits are topped up.
 * `fromFlag` is true when no request was made: the flag in the store said so.
 */
export class CreditsDepletedError extends ApiError {
  override readonly name = 'CreditsDepletedError';
  override readonly code = 'credits_depleted';
  fromFlag = false;
}

/** 429 rate limit of the current window. Retryable after the reset. */
export class RateLimitExceededError extends ApiError {
  override readonly name = 'RateLimitExceededError';
  override readonly code = 'rate_limited';
}

/** 400 saying since_id is older than the recent-search window; carries the smallest id allowed. */
export class StaleSinceIdError extends ApiError {
  override readonly name = 'StaleSinceIdError';
  override readonly code = 'stale_since_id';
  constructor(
    message: string,
    endpoint: string,
    /** The id the API suggests (`Please use a 'since_id' that is larger than N`). */
    readonly suggestedSinceId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, 400, endpoint, 'https://api.twitter.com/2/problems/invalid-request', {}, options);
  }
}

/** The connection failed, was reset or timed out before a complete response arrived. */
export class NetworkError extends PollerError {
  override readonly name: string = 'NetworkError';
  override readonly code: string = 'network';
  constructor(
    message: string,
    readonly endpoint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A request, connect or body read exceeded its timeout. */
export class TimeoutError extends NetworkError {
  override readonly name = 'TimeoutError';
  override readonly code = 'timeout';
}

/** The response arrived but its body is not what the API documents (invalid JSON, wrong types). */
export class InvalidResponseError extends PollerError {
  override readonly name = 'InvalidResponseError';
  override readonly code = 'invalid_response';
  /**
   * True for a body that never arrived whole (truncated, not JSON): asking again can help.
   * False for a well-formed body whose content is wrong (bad ids, out of bounds): it would only repeat.
   */
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly endpoint: string,
    options?: ErrorOptions & { readonly retryable?: boolean },
  ) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), endpoint: this.endpoint, retryable: this.retryable };
  }
}

/** A stored checkpoint that cannot be trusted (bad id, inverted bounds, unknown schema). */
export class CorruptCheckpointError extends PollerError {
  override readonly name = 'CorruptCheckpointError';
  override readonly code = 'corrupt_checkpoint';
  constructor(
    message: string,
    readonly stream: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A conditional checkpoint write lost: another writer moved the checkpoint or holds the lease. */
export class CheckpointConflictError extends PollerError {
  override readonly name = 'CheckpointConflictError';
  override readonly code = 'checkpoint_conflict';
  constructor(
    message: string,
    readonly stream: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The sink did not acknowledge a batch. */
export class SinkError extends PollerError {
  override readonly name = 'SinkError';
  override readonly code = 'sink';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Invalid configuration; names the setting. The CLI exits 2. */
export class ConfigError extends PollerError {
  override readonly name = 'ConfigError';
  override readonly code = 'config';
  constructor(
    message: string,
    readonly setting: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The deadline arrived (or a wait would pass it): stop and save. Not a failure. */
export class DeadlineError extends PollerError {
  override readonly name = 'DeadlineError';
  override readonly code = 'deadline';
}
