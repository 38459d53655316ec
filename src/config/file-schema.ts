import { z } from 'zod';
import {
  type Check,
  checkBaseUrl,
  checkExclude,
  checkInitial,
  checkInteger,
  checkLogLevel,
  checkRateBudget,
} from './values.js';

/** Adapts a `check*` function into a zod schema whose error message is the check's reason. */
function fromCheck<T>(check: (raw: unknown) => Check<T>): z.ZodType<T> {
  return z.unknown().transform((raw, ctx) => {
    const result = check(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  }) as unknown as z.ZodType<T>;
}

const nonEmpty = z
  .string({ error: 'must be a non-empty string' })
  .trim()
  .min(1, { error: 'must be a non-empty string' });
const fieldList = z.array(nonEmpty, { error: 'must be a list of field names' });
const positiveInt = fromCheck((raw) => checkInteger(raw, 1));
const nonNegativeInt = fromCheck((raw) => checkInteger(raw, 0));

/** One entry of `streams:`. Exactly one of query, user or mentions. */
export const StreamEntrySchema = z
  .strictObject({
    name: nonEmpty.optional(),
    query: nonEmpty.max(4096, { error: 'must be at most 4096 characters' }).optional(),
    user: nonEmpty.optional(),
    mentions: nonEmpty.optional(),
    archive: z.boolean({ error: 'must be true or false' }).optional(),
    exclude: fromCheck(checkExclude).optional(),
    tweet_fields: fieldList.optional(),
    user_fields: fieldList.optional(),
    expansions: fieldList.optional(),
    initial: fromCheck(checkInitial).optional(),
    overlap_seconds: nonNegativeInt.optional(),
  })
  .superRefine((entry, ctx) => {
    const sources = (['query', 'user', 'mentions'] as const).filter((k) => entry[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs exactly one of query, user or mentions' });
    }
    if (entry.archive !== undefined && entry.query === undefined) {
      ctx.addIssue({ code: 'custom', path: ['archive'], message: 'only applies to a query stream' });
    }
    if (entry.exclude !== undefined && entry.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['exclude'], message: 'only applies to a user stream' });
    }
  });

/** A config file (JSON or YAML): streams plus defaults of the command-line options. */
export const ConfigFileSchema = z.strictObject({
  streams: z
    .array(StreamEntrySchema, { error: 'must be a list of streams' })
    .min(1, { error: 'must list at least one stream' }),
  store: nonEmpty.optional(),
  sink: nonEmpty.optional(),
  api_base: fromCheck(checkBaseUrl).optional(),
  max_tweets: positiveInt.optional(),
  batch_size: positiveInt.optional(),
  time_budget_seconds: positiveInt.optional(),
  min_interval_ms: nonNegativeInt.optional(),
  retry_base_ms: positiveInt.optional(),
  retry_max_ms: positiveInt.optional(),
  retry_attempts: positiveInt.optional(),
  lease_ttl_seconds: positiveInt.optional(),
  initial: fromCheck(checkInitial).optional(),
  overlap_seconds: nonNegativeInt.optional(),
  log_level: fromCheck(checkLogLevel).optional(),
  concurrency: positiveInt.optional(),
  rate_budget: fromCheck(checkRateBudget).optional(),
});

export type StreamEntry = z.output<typeof StreamEntrySchema>;
export type ConfigFile = z.output<typeof ConfigFileSchema>;

/** `streams[1].query` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
