import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { ApiResponse } from '../api/index.js';
import type { RateLimitState } from '../limits/index.js';

/** How to corrupt a response body on the wire. */
export type WireFault = 'truncated' | 'invalid-json' | undefined;

let dateSecond = 0;
let dateText = '';

/**
 * The `date` header value, formatted once per second. It follows the emulated clock, like
 * `x-rate-limit-reset`: a client measures the reset as `reset - date`, so both must share one clock.
 */
function httpDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** True when the client accepts gzip. */
export function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
}

/**
 * Writes an API response with X's headers (lowercase names, `date`, `x-rate-limit-*`), gzip when
 * accepted, optionally corrupted by a wire fault.
 */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  response: ApiResponse,
  rate: RateLimitState | undefined,
  wire: WireFault = undefined,
  nowMs: number = Date.now(),
): void {
  const text = wire === 'invalid-json' ? `${response.body.slice(0, -1)},}` : response.body;
  const gzip = acceptsGzip(req);
  // Plain bodies are written as strings: Node encodes them straight into the socket write.
  const body = gzip ? gzipSync(text) : text;
  const headers: Record<string, string> = {
    'content-type': `${response.contentType ?? 'application/json'}; charset=utf-8`,
    date: httpDate(nowMs),
    'api-version': '2.166',
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  if (rate !== undefined) {
    headers['x-rate-limit-limit'] = String(rate.limit);
    headers['x-rate-limit-remaining'] = String(rate.remaining);
    headers['x-rate-limit-reset'] = String(rate.reset);
  }
  res.writeHead(response.status, headers);
  if (wire === 'truncated') {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

/** Writes a JSON body for the admin API. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  });
  res.end(body);
}

/** Reads a small JSON request body (admin API); `{}` when empty. */
export async function readJson(req: IncomingMessage, limit = 1_000_000): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? {} : JSON.parse(text);
}
