/**
 * XApi over node:http / node:https with one keep-alive Agent per client (cheaper per request than
 * the global fetch): gzip requested and decoded with node:zlib, timeouts for the response headers
 * and for the body, every failure mapped to core/errors.ts.
 * The bearer token goes into one header and nowhere else: not into errors, not into logs.
 */
import { type Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { InvalidResponseError, NetworkError, type ResponseMeta, TimeoutError } from '../../core/errors.js';
import type { ApiRequest, ApiResponse, XApi } from '../../core/ports/x-api.js';
import {
  type HeaderReader,
  parseHttpDate,
  parseRateLimitHeaders,
  parseRetryAfter,
} from '../../core/rate-limit-headers.js';
import { mapHttpError } from './error-mapping.js';
import { type AgentOptions, agentFor, directAgent, type ProxySettings, proxyFor } from './proxy.js';

/** Options of HttpXApi. */
export interface HttpXApiOptions {
  /** App-only bearer token. Never logged, never in an error. */
  readonly bearerToken: string;
  /** The API's base URL (src/config/defaults.ts: https://api.x.com). */
  readonly baseUrl: string;
  /** The CLI and the Lambda pass `twitter-poller/<package version>`. @default 'twitter-poller' */
  readonly userAgent?: string;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as read by src/config/. @default no proxy */
  readonly proxy?: ProxySettings;
  /** Connect plus response headers (src/config/defaults.ts: 30000). */
  readonly responseTimeoutMs: number;
  /** Reading the whole body once headers arrived (src/config/defaults.ts: 30000). */
  readonly bodyTimeoutMs: number;
  /** Epoch ms, to turn an HTTP-date Retry-After into a delay. @default Date.now */
  readonly now?: () => number;
}

/** Sockets per client: the poller keeps at most a couple of requests in flight. */
const MAX_SOCKETS = 16;
const AGENT_OPTIONS: AgentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };

/** Status, headers and the raw (still encoded) body of one response. */
interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The production XApi: one request per call over a keep-alive agent, errors typed, headers parsed. */
export class HttpXApi implements XApi {
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #userAgent: string;
  readonly #responseTimeoutMs: number;
  readonly #bodyTimeoutMs: number;
  readonly #now: () => number;
  /** The direct agent; undefined when a proxy is used (#proxyAgent, loaded at the first request). */
  readonly #agent: HttpAgent | undefined;
  readonly #proxy: ProxySettings;
  #proxyAgent: Promise<HttpAgent> | undefined;
  readonly #request: typeof httpRequest;

  constructor(options: HttpXApiOptions) {
    this.#token = options.bearerToken;
    this.#baseUrl = options.baseUrl;
    this.#userAgent = options.userAgent ?? 'twitter-poller';
    this.#responseTimeoutMs = options.responseTimeoutMs;
    this.#bodyTimeoutMs = options.bodyTimeoutMs;
    this.#now = options.now ?? Date.now;
    const base = new URL(this.#baseUrl);
    this.#proxy = options.proxy ?? {};
    this.#agent = proxyFor(base, this.#proxy) === undefined ? directAgent(base, AGENT_OPTIONS) : undefined;
    this.#request = base.protocol === 'http:' ? httpRequest : httpsRequest;
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
    const agent = this.#agent ?? (await this.#loadProxyAgent());
    const response = await this.#send(this.url(request), endpoint, agent, signal);
    const meta = this.#meta(headerReader(response.headers));
    const ok = response.status >= 200 && response.status <= 299;
    let text: string;
    try {
      text = decodeText(decodeBody(response.body, response.headers['content-encoding']));
    } catch (err) {
      // A corrupt compressed error page still says which status it was.
      if (!ok)
        throw mapHttpError(response.status, endpoint, '', contentType(response.headers), meta, [this.#token]);
      // The page never arrived whole: nothing was delivered, so asking again is safe.
      throw new InvalidResponseError(
        `${endpoint}: HTTP ${response.status} body could not be decompressed`,
        endpoint,
        { cause: err, retryable: true },
      );
    }
    if (!ok)
      throw mapHttpError(response.status, endpoint, text, contentType(response.headers), meta, [this.#token]);
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
  }

  /** The proxy's agent, its module imported at the first request (proxy.ts). */
  #loadProxyAgent(): Promise<HttpAgent> {
    this.#proxyAgent ??= agentFor(new URL(this.#baseUrl), this.#proxy, AGENT_OPTIONS);
    return this.#proxyAgent;
  }

  /** One GET: resolves with the whole raw body, rejects with a typed error or the caller's abort reason. */
  #send(url: URL, endpoint: string, agent: HttpAgent, signal: AbortSignal | undefined): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      let phase: 'response' | 'body' = 'response';
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (err: Error | undefined, value?: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) {
          resolve(value as RawResponse);
        } else {
          req.destroy();
          reject(err);
        }
      };
      const fail = (err: unknown) => {
        if (signal?.aborted) return settle(abortReason(signal));
        settle(new NetworkError(`${endpoint}: ${networkReason(err)}`, endpoint, { cause: err }));
      };
      const onAbort = () => settle(abortReason(signal as AbortSignal));
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          settle(new TimeoutError(`${endpoint}: no complete ${phase} within ${ms} ms`, endpoint));
        }, ms);
      };
      const req = this.#request(
        url,
        {
          method: 'GET',
          agent,
          headers: {
            authorization: `Bearer ${this.#token}`,
            accept: 'application/json',
            'accept-encoding': 'gzip',
            'user-agent': this.#userAgent,
          },
        },
        (res) => {
          phase = 'body';
          arm(this.#bodyTimeoutMs);
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          // A socket closed mid-body ends the message incomplete (content-length not met, no last chunk).
          res.on('aborted', () => fail(new Error('response body cut short')));
          res.on('close', () => {
            if (!res.complete) fail(new Error('response body cut short'));
          });
          res.on('end', () => {
            if (!res.complete) return fail(new Error('response body cut short'));
            settle(undefined, {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
            });
          });
        },
      );
      req.on('error', fail);
      arm(this.#responseTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }

  #meta(headers: HeaderReader): ResponseMeta {
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

/** The caller's abort reason, as fetch rejected with it. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** A `get(name)` view of node's lowercase header object (repeated headers joined like fetch's Headers). */
function headerReader(headers: IncomingHttpHeaders): HeaderReader {
  return {
    get(name: string): string | null {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function contentType(headers: IncomingHttpHeaders): string | null {
  return headers['content-type'] ?? null;
}

/** The body with its content-encoding undone (gzip is what we ask for); throws on a corrupt stream. */
function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length === 0 || encoding === undefined) return body;
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

/** UTF-8 text, a leading BOM dropped (as fetch's `text()` does). */
function decodeText(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A short reason with the error code (`ECONNRESET socket hang up`, `ECONNREFUSED connect ...`). */
function networkReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let message = typeof e?.message === 'string' ? e.message : String(err);
  // Happy eyeballs gives an AggregateError with an empty message: use the first attempt's.
  if (message === '' && Array.isArray(e?.errors) && e.errors[0] instanceof Error)
    message = e.errors[0].message;
  if (code === undefined) return message;
  return message.includes(code) ? message : `${code} ${message}`;
}
