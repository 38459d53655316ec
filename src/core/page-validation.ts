/**
 * A page is checked before anything in it is delivered or saved: ids must be numeric strings, strictly
 * descending, and inside the requested (since_id, until_id). A hostile or broken response fails the
 * stream with the checkpoint untouched instead of corrupting it.
 */
import { InvalidResponseError } from './errors.js';
import { idValue } from './ids.js';
import type { Tweet, TweetPage } from './ports/x-api.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The exclusive id bounds a page must respect. */
export interface PageBounds {
  readonly sinceId: string;
  readonly untilId: string | undefined;
}

/** The page, typed, once every check passed; InvalidResponseError (not retryable) otherwise. */
export function validatePage(body: unknown, endpoint: string, bounds: PageBounds): TweetPage {
  const bad = (why: string): never => {
    throw new InvalidResponseError(`${endpoint}: ${why}`, endpoint);
  };
  if (!isRecord(body)) return bad('body is not an object');
  const meta = body.meta;
  if (!isRecord(meta) || typeof meta.result_count !== 'number') return bad('meta.result_count is missing');
  if (meta.next_token !== undefined && (typeof meta.next_token !== 'string' || meta.next_token === '')) {
    return bad('meta.next_token is not a non-empty string');
  }
  const data = body.data ?? [];
  if (!Array.isArray(data)) return bad('data is not an array');
  // Each id is parsed to a BigInt once and compared with the previous one and the bounds, also parsed
  // once: the same checks as compareIds, a seventh of the BigInt parses (bench/README.md, drain profile).
  const since = BigInt(bounds.sinceId);
  const until = bounds.untilId === undefined ? undefined : BigInt(bounds.untilId);
  let previous: bigint | undefined;
  for (const item of data as unknown[]) {
    const value = isRecord(item) ? idValue(item.id) : undefined;
    if (value === undefined) return bad('a post id is not a numeric string');
    const id = (item as { id: string }).id;
    if (previous !== undefined && value >= previous) return bad(`ids are not strictly descending at ${id}`);
    if (value <= since) return bad(`id ${id} is not above since_id ${bounds.sinceId}`);
    if (until !== undefined && value >= until) return bad(`id ${id} is not below until_id ${bounds.untilId}`);
    previous = value;
  }
  const includes = body.includes;
  if (includes !== undefined) {
    if (!isRecord(includes)) return bad('includes is not an object');
    for (const [kind, items] of Object.entries(includes)) {
      if (!Array.isArray(items) || !items.every(isRecord))
        return bad(`includes.${kind} is not a list of objects`);
    }
  }
  return body as unknown as TweetPage & { data?: readonly Tweet[] };
}

/**
 * The ids a response served, checked or not: what the API bills for it. Lenient on purpose: a page
 * that fails {@link validatePage} was still served, and its posts are still counted as read.
 */
export function servedIds(body: unknown): string[] {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) return [];
  const ids: string[] = [];
  for (const item of data as unknown[]) {
    if (isRecord(item) && typeof item.id === 'string') ids.push(item.id);
  }
  return ids;
}
