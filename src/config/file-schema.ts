/**
 * The config file's schema (JSON or YAML) and the `streams` entries the Lambda's STREAMS variable
 * shares with it. Written with zod/mini (zod 4's tree-shakable functional API, ~16 KB in the Lambda
 * bundle against ~85 KB for the classic API and ~450 KB for `import { z } from 'zod'`, which drags in
 * every locale; bench/README.md): every schema carries its own message, so no locale is needed.
 * `z.toJSONSchema` works on these schemas too.
 */
import * as z from 'zod/mini';
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
function fromCheck<T>(check: (raw: unknown) => Check<T>): z.ZodMiniType<T> {
  return z.pipe(
    z.unknown(),
    z.transform((raw, ctx) => {
      const result = check(raw);
      if (result.ok) return result.value;
      ctx.issues.push({ code: 'custom', message: result.reason, input: raw });
      return z.NEVER;
    }),
  ) as unknown as z.ZodMiniType<T>;
}

const NON_EMPTY = 'must be a non-empty string';
const nonEmpty = z.string({ error: NON_EMPTY }).check(z.trim(), z.minLength(1, { error: NON_EMPTY }));
const fieldList = z.array(nonEmpty, { error: 'must be a list of field names' });
const positiveInt = fromCheck((raw) => checkInteger(raw, 1));
const nonNegativeInt = fromCheck((raw) => checkInteger(raw, 0));

/** One entry of `streams:`. Exactly one of query, user or mentions. */
export const StreamEntrySchema = z
  .strictObject(
    {
      name: z.optional(nonEmpty),
      query: z.optional(
        z
          .string({ error: NON_EMPTY })
          .check(
            z.trim(),
            z.minLength(1, { error: NON_EMPTY }),
            z.maxLength(4096, { error: 'must be at most 4096 characters' }),
          ),
      ),
      user: z.optional(nonEmpty),
      mentions: z.optional(nonEmpty),
      archive: z.optional(z.boolean({ error: 'must be true or false' })),
      exclude: z.optional(fromCheck(checkExclude)),
      tweet_fields: z.optional(fieldList),
      user_fields: z.optional(fieldList),
      expansions: z.optional(fieldList),
      initial: z.optional(fromCheck(checkInitial)),
      overlap_seconds: z.optional(nonNegativeInt),
    },
    { error: 'must be a mapping of stream settings' },
  )
  .check(
    z.superRefine((entry, ctx) => {
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
    }),
  );

/** A non-empty list of stream entries (the config file's `streams`, the Lambda's STREAMS). */
export const StreamListSchema = z
  .array(StreamEntrySchema, { error: 'must be a list of streams' })
  .check(z.minLength(1, { error: 'must list at least one stream' }));

/** A config file (JSON or YAML): streams plus defaults of the command-line options. */
export const ConfigFileSchema = z.strictObject(
  {
    streams: StreamListSchema,
    store: z.optional(nonEmpty),
    sink: z.optional(nonEmpty),
    api_base: z.optional(fromCheck(checkBaseUrl)),
    max_tweets: z.optional(positiveInt),
    batch_size: z.optional(positiveInt),
    time_budget_seconds: z.optional(positiveInt),
    min_interval_ms: z.optional(nonNegativeInt),
    retry_base_ms: z.optional(positiveInt),
    retry_max_ms: z.optional(positiveInt),
    retry_attempts: z.optional(positiveInt),
    lease_ttl_seconds: z.optional(positiveInt),
    initial: z.optional(fromCheck(checkInitial)),
    overlap_seconds: z.optional(nonNegativeInt),
    log_level: z.optional(fromCheck(checkLogLevel)),
    concurrency: z.optional(positiveInt),
    rate_budget: z.optional(fromCheck(checkRateBudget)),
  },
  { error: 'must be a mapping of settings' },
);

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

/** The outcome of {@link validate}: the parsed value, or the first problem as the key and why. */
export type Validated<T> = { ok: true; value: T } | { ok: false; key: string; message: string };

/**
 * Parses `raw` with `schema`. On failure, the first issue as the key it is about and why: an unknown
 * key is named itself (`streams[0].max_results: unknown setting`), a missing one `is required`, any
 * other the schema's own message.
 */
export function validate<S extends z.ZodMiniType>(schema: S, raw: unknown): Validated<z.output<S>> {
  // reportInput keeps `input` on the issues, which tells a missing key from one of the wrong type.
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const key = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const first = issue.keys[0] ?? '';
    return { ok: false, key: key === '(root)' ? first : `${key}.${first}`, message: 'unknown setting' };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return { ok: false, key, message: 'is required' };
  return { ok: false, key, message: issue.message };
}
