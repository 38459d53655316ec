import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { RunningEmulator } from '../../emulator/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/x-api');

/** A decoded JSON body: tests read dynamic API responses, so this stays loosely typed on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: dynamic JSON bodies in tests
export type Json = Record<string, any>;

/** Reads a vendored fixture (test/fixtures/x-api). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

interface OpenApi {
  paths: Record<
    string,
    { get: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> } }
  >;
  components: { schemas: { Problem: { discriminator: { mapping: Record<string, string> } } } };
}

const spec = fixture<OpenApi>('openapi-trimmed.json');
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
ajv.addFormat('^[0-9]{1,19}$', /^[0-9]{1,19}$/);
ajv.addSchema(spec, 'openapi');

const compiled = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (v === undefined) {
    v = ajv.compile({ $ref: `openapi${ref}` });
    compiled.set(ref, v);
  }
  return v;
}

/** The OpenAPI path template of an emulator URL path. */
export function specPath(path: string): string {
  if (path.startsWith('/2/users/by/username/')) return '/2/users/by/username/{username}';
  const m = /^\/2\/users\/[^/]+\/(tweets|mentions)$/.exec(path);
  if (m) return `/2/users/{id}/${m[1]}`;
  return path;
}

/**
 * Asserts that `body` is valid for the official schema: the path's 200 schema, or for errors the
 * Problem subtype named by its `type` (discriminator mapping).
 */
export function expectSchemaValid(path: string, status: number, body: unknown): void {
  let ref: string;
  if (status === 200) {
    ref = spec.paths[specPath(path)]!.get.responses['200']!.content['application/json']!.schema.$ref;
  } else {
    const type = (body as { type?: string }).type ?? '';
    ref = spec.components.schemas.Problem.discriminator.mapping[type] ?? '#/components/schemas/Problem';
    expect(
      spec.components.schemas.Problem.discriminator.mapping[type],
      `known problem type ${type}`,
    ).toBeDefined();
  }
  const validate = validator(ref);
  const ok = validate(body);
  expect(ok ? [] : validate.errors, `${path} ${status} body valid for ${ref}`).toEqual([]);
}

/** A decoded API response. */
export interface ApiReply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** GETs an API path with a bearer token and checks the JSON body against the official schema. */
export async function getApi<T = Json>(
  emu: RunningEmulator,
  pathAndQuery: string,
  token: string | null = 'test-token',
): Promise<ApiReply<T>> {
  const res = await fetch(
    emu.url + pathAndQuery,
    token === null ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  const body = (await res.json()) as T;
  expectSchemaValid(new URL(pathAndQuery, 'http://x').pathname, res.status, body);
  return { status: res.status, headers: res.headers, body };
}

/** Builds a query string from defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  return search.toString();
}

/** A raw HTTP exchange (no automatic decompression), or the socket error. */
export interface RawReply {
  readonly status?: number;
  readonly headers?: Record<string, string | string[] | undefined>;
  readonly body?: Buffer;
  readonly error?: string;
}

/** GETs over node:http, reporting resets and truncations instead of hiding them; bounded by `timeoutMs`. */
export function rawGet(url: string, headers: Record<string, string>, timeoutMs = 2000): Promise<RawReply> {
  return new Promise((resolve) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', (e) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, error: e.message }),
      );
      res.on('aborted', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, error: 'aborted' }),
      );
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error('timeout'));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

/** Pages an endpoint to the end (bounded), returning every id in order. */
export async function collectAll(
  emu: RunningEmulator,
  path: string,
  params: Record<string, string | number | undefined>,
  tokenParam: 'next_token' | 'pagination_token',
  maxPages = 1000,
): Promise<{ ids: string[]; pages: Json[] }> {
  const ids: string[] = [];
  const pages: Json[] = [];
  let token: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const reply = await getApi(emu, `${path}?${qs({ ...params, [tokenParam]: token })}`);
    expect(reply.status).toBe(200);
    pages.push(reply.body);
    for (const t of (reply.body.data ?? []) as { id: string }[]) ids.push(t.id);
    token = reply.body.meta?.next_token;
    if (token === undefined) return { ids, pages };
  }
  throw new Error(`more than ${maxPages} pages`);
}
