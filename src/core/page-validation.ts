/**
 * A page is checked before anything in it is delivered or saved: ids must be numeric strings, strictly
 * descending, and inside the requested (since_id, until_id). A hostile or broken response fails the
 * stream with the checkpoint untouched instead of corrupting it.
 */
import { InvalidResponseError } from './errors.js';
import { compareIds, isValidId } from './ids.js';
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
  let previous: string | undefined;
  for (const item of data as unknown[]) {
    if (!isRecord(item) || !isValidId(item.id)) return bad('a post id is not a numeric string');
    const id = item.id;
    if (previous !== undefined && compareIds(id, previous) >= 0)
      return bad(`ids are not strictly descending at ${id}`);
    if (compareIds(id, bounds.sinceId) <= 0) return bad(`id ${id} is not above since_id ${bounds.sinceId}`);
    if (bounds.untilId !== undefined && compareIds(id, bounds.untilId) >= 0) {
      return bad(`id ${id} is not below until_id ${bounds.untilId}`);
    }
    previous = id;
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
