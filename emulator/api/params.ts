import { parseId } from '../world/index.js';
import { type ApiResponse, invalidParam, invalidRequest } from './problems.js';

/** Thrown by validators; carries the 400 response to send. */
export class BadRequest extends Error {
  constructor(readonly response: ApiResponse) {
    super('bad request');
  }
}

const FIELD_PARAMS = [
  'expansions',
  'tweet.fields',
  'media.fields',
  'poll.fields',
  'user.fields',
  'place.fields',
];

/** Query parameters each endpoint accepts (anything else is a 400, as on X). */
export const ALLOWED_PARAMS = {
  search: [
    'query',
    'start_time',
    'end_time',
    'since_id',
    'until_id',
    'max_results',
    'next_token',
    'pagination_token',
    'sort_order',
    ...FIELD_PARAMS,
  ],
  timeline: [
    'since_id',
    'until_id',
    'max_results',
    'pagination_token',
    'exclude',
    'start_time',
    'end_time',
    ...FIELD_PARAMS,
  ],
  mentions: [
    'since_id',
    'until_id',
    'max_results',
    'pagination_token',
    'start_time',
    'end_time',
    ...FIELD_PARAMS,
  ],
  user: ['expansions', 'tweet.fields', 'user.fields'],
  usage: ['days', 'usage.fields'],
} as const;

/** Rejects unknown and repeated parameters; returns a plain name -> value map. */
export function readParams(search: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of search) {
    if (!allowed.includes(name)) {
      throw new BadRequest(
        invalidParam(name, value, `The query parameter [${name}] is not one of [${allowed.join(',')}]`),
      );
    }
    if (out.has(name)) {
      throw new BadRequest(
        invalidParam(name, value, `Duplicate parameters are not allowed: the \`${name}\` query parameter`),
      );
    }
    out.set(name, value);
  }
  return out;
}

/** Parses `max_results` within [min, max] (default 10). */
export function readMaxResults(params: Map<string, string>, min: number, max: number): number {
  const raw = params.get('max_results');
  if (raw === undefined) return 10;
  const n = /^-?[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadRequest(
      invalidParam(
        'max_results',
        raw,
        `The \`max_results\` query parameter value [${raw}] is not between ${min} and ${max}`,
      ),
    );
  }
  return n;
}

/** Parses an id parameter (`since_id`, `until_id`, `id`). */
export function readId(params: Map<string, string>, name: string): bigint | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const id = parseId(raw);
  if (id === undefined) {
    throw new BadRequest(
      invalidParam(name, raw, `The \`${name}\` query parameter value [${raw}] does not match ^[0-9]{1,19}$`),
    );
  }
  return id;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 time parameter to epoch ms, truncated to the second. */
export function readTime(params: Map<string, string>, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const ms = RFC3339.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new BadRequest(
      invalidParam(name, raw, `Invalid '${name}':'${raw}'. '${name}' must be a valid RFC 3339 date-time`),
    );
  }
  return Math.floor(ms / 1000) * 1000;
}

/** Parses a comma-separated list whose values must come from `allowed`. */
export function readList(params: Map<string, string>, name: string, allowed: readonly string[]): string[] {
  const raw = params.get(name);
  if (raw === undefined) return [];
  const values = raw.split(',');
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length > 0) {
    throw new BadRequest(
      invalidRequest(
        bad.map((v) => ({
          parameters: { [name]: [v] },
          message: `The \`${name}\` query parameter value [${v}] is not one of [${allowed.join(',')}]`,
        })),
      ),
    );
  }
  return values;
}
