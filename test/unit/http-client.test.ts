import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpXApi } from '../../src/adapters/x-api/http-client.js';
import {
  ApiError,
  AuthenticationError,
  InvalidResponseError,
  NetworkError,
  RateLimitExceededError,
  StaleSinceIdError,
  TimeoutError,
  UsageCapExceededError,
} from '../../src/core/errors.js';
import type { ApiRequest } from '../../src/core/ports/x-api.js';
import { classifyError } from '../../src/core/retry.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const TOKEN = 'AAAA-secret-bearer-token';
let handler: Handler = (_req, res) => res.end('{}');
let server: Server;
let baseUrl: string;
let lastRequest: IncomingMessage | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    lastRequest = req;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request: ApiRequest = {
  endpoint: 'search_recent',
  path: '/2/tweets/search/recent',
  params: { query: 'from:x', since_id: '100' },
};

function client(timeoutMs = 2_000): HttpXApi {
  return new HttpXApi({
    bearerToken: TOKEN,
    baseUrl,
    responseTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
  });
}

function reply(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

async function failure(api = client()): Promise<unknown> {
  return api.get(request).then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

const RATE_HEADERS = {
  'x-rate-limit-limit': '450',
  'x-rate-limit-remaining': '449',
  'x-rate-limit-reset': '1618286938',
  date: 'Tue, 13 Apr 2021 03:53:58 GMT',
};

describe('HttpXApi', () => {
  it('sends the bearer token, query, user-agent and accept-encoding gzip, and parses headers', async () => {
    handler = reply(200, '{"meta":{"result_count":0}}', RATE_HEADERS);
    const res = await client().get(request);
    expect(res.body).toEqual({ meta: { result_count: 0 } });
    expect(res.rateLimit).toEqual({ limit: 450, remaining: 449, resetAtMs: 1618286938000 });
    expect(res.serverDateMs).toBe(Date.UTC(2021, 3, 13, 3, 53, 58));
    expect(lastRequest?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(lastRequest?.headers['accept-encoding']).toContain('gzip');
    expect(lastRequest?.headers['user-agent']).toBe('twitter-poller');
    expect(lastRequest?.url).toBe('/2/tweets/search/recent?query=from%3Ax&since_id=100');
  });

  it('decodes a gzip body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ data: [{ id: '5', text: 'hi' }], meta: { result_count: 1 } })));
    };
    const res = await client().get(request);
    expect(res.body).toEqual({ data: [{ id: '5', text: 'hi' }], meta: { result_count: 1 } });
  });

  it.each([
    [
      401,
      '{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}',
      AuthenticationError,
      false,
    ],
    [
      429,
      '{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}',
      RateLimitExceededError,
      true,
    ],
    [
      429,
      '{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}',
      UsageCapExceededError,
      false,
    ],
    [
      403,
      '{"title":"Forbidden","type":"https://api.twitter.com/2/problems/client-forbidden","reason":"client-not-enrolled"}',
      ApiError,
      false,
    ],
    [
      404,
      '{"title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}',
      ApiError,
      false,
    ],
    [500, '{"title":"Internal Server Error","type":"about:blank"}', ApiError, true],
    [
      503,
      '{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}',
      ApiError,
      true,
    ],
  ])('maps HTTP %i to its error class', async (status, body, Class, retryable) => {
    handler = reply(status, body, { ...RATE_HEADERS, 'content-type': 'application/problem+json' });
    const err = await failure();
    expect(err).toBeInstanceOf(Class);
    expect((err as ApiError).status).toBe(status);
    expect((err as ApiError).response.rateLimit?.limit).toBe(450);
    expect(classifyError(err, Date.UTC(2021, 3, 13, 3, 53, 58)).retryable).toBe(retryable);
  });

  it('says the bearer token was rejected on 401 without ever including it', async () => {
    handler = reply(401, '{"title":"Unauthorized","type":"about:blank","status":401}');
    const err = (await failure()) as AuthenticationError;
    expect(err.message).toMatch(/bearer token was rejected/);
    expect(err.message).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toMatch(/x-rate-limit|headers/);
  });

  it('maps a 400 stale since_id to StaleSinceIdError with the suggested id', async () => {
    const body = {
      errors: [
        {
          parameters: { since_id: ['1'] },
          message:
            "'since_id' must be a tweet id created after 2026-07-31T11:45Z. Please use a 'since_id' that is larger than 2083157183716917248",
        },
      ],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    };
    handler = reply(400, JSON.stringify(body));
    const err = (await failure()) as StaleSinceIdError;
    expect(err).toBeInstanceOf(StaleSinceIdError);
    expect(err.suggestedSinceId).toBe('2083157183716917248');
  });

  it('maps an HTML 502 from a proxy to a retryable ApiError with a short message', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`);
    };
    const err = (await failure()) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.message).toContain('502 Bad Gateway');
    expect(err.message.length).toBeLessThan(400);
    expect(classifyError(err).retryable).toBe(true);
  });

  it('parses Retry-After into milliseconds', async () => {
    handler = reply(503, '{"title":"Service Unavailable"}', { 'retry-after': '7' });
    const err = (await failure()) as ApiError;
    expect(err.response.retryAfterMs).toBe(7000);
    expect(classifyError(err)).toEqual({ retryable: true, waitMs: 7000 });
  });

  it('turns invalid JSON in a 200 into a retryable InvalidResponseError', async () => {
    handler = reply(200, '{"data":[{"id":"1"');
    const err = await failure();
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(classifyError(err).retryable).toBe(true);
  });

  it('turns a body cut short (content-length not met) into a NetworkError', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data":[');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const err = await failure();
    expect(err).toBeInstanceOf(NetworkError);
    expect(classifyError(err).retryable).toBe(true);
  });

  it('turns a connection reset before the response into a NetworkError', async () => {
    handler = (req) => req.socket.destroy();
    const err = await failure();
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).not.toBeInstanceOf(TimeoutError);
  });

  it('times out a server that never answers', async () => {
    handler = () => {};
    const err = await failure(client(200));
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/response within 200 ms/);
  });

  it('times out a body that stops arriving', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"meta":');
    };
    const err = await failure(client(200));
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/body within 200 ms/);
  });

  it('rejects with the caller abort reason, not a NetworkError', async () => {
    handler = () => {};
    const controller = new AbortController();
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 20);
    await expect(client().get(request, controller.signal)).rejects.toBe(reason);
  });

  it('maps a refused connection to NetworkError', async () => {
    const api = new HttpXApi({
      bearerToken: TOKEN,
      baseUrl: 'http://127.0.0.1:1',
      responseTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
    });
    const err = await api.get(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).not.toContain(TOKEN);
  });
});
