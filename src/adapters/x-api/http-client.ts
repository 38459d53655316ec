/**
 * XApi over the global fetch (undici): keep-alive by default, gzip requested and decoded by fetch,
 * timeouts for the response headers and for the body, every failure mapped to core/errors.ts.
 * The bearer token goes into one header and nowhere else: not into errors, not into logs.
 */
import { InvalidResponseError, NetworkError, type ResponseMeta, TimeoutError } from '../../core/errors.js';
import type { ApiRequest, ApiResponse, XApi } from '../../core/ports/x-api.js';
import { parseHttpDate, parseRateLimitHeaders, parseRetryAfter } from '../../core/rate-limit-headers.js';
import { mapHttpError } from './error-mapping.js';

/** Options of HttpXApi. */
export interface HttpXApiOptions {
  /** App-only bearer token. Never logged, never in an error. */
  readonly bearerToken: string;
  /** @default 'https://api.x.com' */
  readonly baseUrl?: string;
  /** @default 'twitter-poller/0.1' */
  readonly userAgent?: string;
  /** Connect plus response headers. @default 30000 */
  readonly responseTimeoutMs?: number;
  /** Reading the whole body once headers arrived. @default 30000 */
  readonly bodyTimeoutMs?: number;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Epoch ms, to turn an HTTP-date Retry-After into a delay. @default Date.now */
  readonly now?: () => number;
}

/** The API's base URL (api.twitter.com answers too). */
export const DEFAULT_BASE_URL = 'https://api.x.com';

/** The production XApi: one fetch per request, errors typed, headers parsed. */
export class HttpXApi implements XApi {
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #userAgent: string;
  readonly #responseTimeoutMs: number;
  readonly #bodyTimeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;

  constructor(options: HttpXApiOptions) {
    this.#token = options.bearerToken;
    this.#baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.#userAgent = options.userAgent ?? 'twitter-poller/0.1';
    this.#responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
    this.#bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
  }

  /** The request URL (no credentials in it), exposed for logs and tests. */
  url(request: ApiRequest): URL {
    const url = new URL(request.path, this.#baseUrl);
    for (const [key, value] of Object.entries(request.params)) url.searchParams.set(key, value);
    return url;
  }

  async get<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const endpoint = request.endpoint;
    signal?.throwIfAborted();
    const controller = new AbortController();
    let phase: 'response' | 'body' = 'response';
    let timedOut = false;
    const arm = (ms: number) =>
      setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, ms);
    let timer = arm(this.#responseTimeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const failure = (err: unknown): Error => {
      if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error('aborted');
      if (timedOut) {
        const ms = phase === 'response' ? this.#responseTimeoutMs : this.#bodyTimeoutMs;
        return new TimeoutError(`${endpoint}: no complete ${phase} within ${ms} ms`, endpoint, {
          cause: err,
        });
      }
      return new NetworkError(`${endpoint}: ${networkReason(err)}`, endpoint, { cause: err });
    };
    try {
      let response: Response;
      try {
        response = await this.#fetch(this.url(request), {
          method: 'GET',
          headers: {
            authorization: `Bearer ${this.#token}`,
            accept: 'application/json',
            'accept-encoding': 'gzip',
            'user-agent': this.#userAgent,
          },
          signal: controller.signal,
        });
      } catch (err) {
        throw failure(err);
      }
      clearTimeout(timer);
      phase = 'body';
      timer = arm(this.#bodyTimeoutMs);
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throw failure(err);
      }
      const meta = this.#meta(response.headers);
      if (!response.ok) {
        throw mapHttpError(response.status, endpoint, text, response.headers.get('content-type'), meta);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        // The page never arrived whole: nothing was delivered, so asking again is safe.
        throw new InvalidResponseError(
          `${endpoint}: HTTP ${response.status} body is not valid JSON`,
          endpoint,
          {
            cause: err,
            retryable: true,
          },
        );
      }
      return {
        status: response.status,
        body: body as T,
        ...(meta.rateLimit === undefined ? {} : { rateLimit: meta.rateLimit }),
        ...(meta.serverDateMs === undefined ? {} : { serverDateMs: meta.serverDateMs }),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #meta(headers: Headers): ResponseMeta {
    const rateLimit = parseRateLimitHeaders(headers);
    const serverDateMs = parseHttpDate(headers.get('date'));
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), serverDateMs ?? this.#now());
    return {
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...(serverDateMs === undefined ? {} : { serverDateMs }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
}

/** A short reason from undici's error chain (`fetch failed` hides the real one in `cause`). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message =
    typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return code === undefined ? message : `${code} ${message}`;
}
