import { z } from 'zod';
import {
  type Check,
  checkBaseUrl,
  checkDuration,
  checkExclude,
  checkInitial,
  checkInteger,
  checkLogLevel,
} from './values.js';

/** The JSON Schema a `check*` value is described by in docs/streams.schema.json (editors only; zod validates). */
type JsonSchemaHint = Readonly<Record<string, unknown>>;

/**
 * Adapts a `check*` function into a zod schema whose error message is the check's reason; `json`
 * describes the accepted input for the generated JSON Schema (scripts/gen-schema.ts).
 */
function fromCheck<T>(check: (raw: unknown) => Check<T>, json: JsonSchemaHint): z.ZodType<T> {
  return z
    .unknown()
    .transform((raw, ctx) => {
      const result = check(raw);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    })
    .meta(json) as unknown as z.ZodType<T>;
}

const DURATION_PATTERN = '^[0-9]{1,9}(ms|s|m|h|d)$';

const nonEmpty = z
  .string({ error: 'must be a non-empty string' })
  .trim()
  .min(1, { error: 'must be a non-empty string' });
const fieldList = z.array(nonEmpty, { error: 'must be a list of field names' });
const positiveInt = (description: string) =>
  fromCheck((raw) => checkInteger(raw, 1), { type: 'integer', minimum: 1, description });
/** A duration (`90s`, `15m`, ...) or a plain number, as a whole number of the key's unit. */
const duration = (unitMs: 1 | 1000, min: 0 | 1, description: string) =>
  fromCheck((raw) => checkDuration(raw, unitMs, min), {
    description: `${description} A duration (90s, 15m, 2h, 7d, 250ms) or a plain number of ${unitMs === 1000 ? 'seconds' : 'milliseconds'}.`,
    anyOf: [
      { type: 'integer', minimum: min },
      { type: 'string', pattern: DURATION_PATTERN },
    ],
  });
const initial = (description: string) =>
  fromCheck(checkInitial, {
    type: 'string',
    description: `${description} now, a look-back duration (90m, 36h, 7d) or a post id to start after (quote it in YAML).`,
    pattern: '^(now|[0-9]{1,9}(ms|s|m|h|d)|[0-9]{1,19})$',
    examples: ['now', '1d', '1578516068309794817'],
  });

/** One entry of `streams:`. Exactly one of query, user or mentions. */
export const StreamEntrySchema = z
  .strictObject({
    name: nonEmpty
      .optional()
      .meta({ description: 'The checkpoint key; default search:<query>, timeline:<user>, mentions:<user>.' }),
    query: nonEmpty
      .max(4096, { error: 'must be at most 4096 characters' })
      .optional()
      .meta({ description: 'Recent search query (full archive with archive: true).' }),
    user: nonEmpty.optional().meta({ description: "A user's timeline: username or numeric id." }),
    mentions: nonEmpty.optional().meta({ description: 'Posts mentioning a user: username or numeric id.' }),
    archive: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .meta({ description: 'With query: full-archive search (/2/tweets/search/all).' }),
    exclude: fromCheck(checkExclude, {
      type: 'array',
      items: { enum: ['replies', 'retweets'] },
      uniqueItems: true,
      minItems: 1,
      description: 'With user: leave out replies and/or retweets.',
    }).optional(),
    tweet_fields: fieldList.optional().meta({ description: 'tweet.fields of each request.' }),
    user_fields: fieldList.optional().meta({ description: 'user.fields of each request.' }),
    expansions: fieldList
      .optional()
      .meta({ description: 'expansions of each request (author_id adds _author to each line).' }),
    initial: initial('Where this stream starts without a checkpoint.').optional(),
    overlap_seconds: duration(1000, 0, 'Re-read this far below the checkpoint each run.').optional(),
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
  })
  .meta({
    oneOf: [{ required: ['query'] }, { required: ['user'] }, { required: ['mentions'] }],
  });

/** A config file (JSON or YAML): streams plus defaults of the command-line options. */
export const ConfigFileSchema = z.strictObject({
  streams: z
    .array(StreamEntrySchema, { error: 'must be a list of streams' })
    .min(1, { error: 'must list at least one stream' }),
  store: nonEmpty.optional().meta({
    description: 'sqlite:<path>, memory or dynamodb:<table> (--store).',
    examples: ['sqlite:state.db'],
  }),
  sink: nonEmpty.optional().meta({
    description: 'jsonl:<path>, jsonl:- (stdout), lambda:<function> or sqs:<queue-url> (--sink).',
    examples: ['jsonl:posts.jsonl'],
  }),
  api_base: fromCheck(checkBaseUrl, {
    type: 'string',
    pattern: '^https?://',
    description: 'API base URL (--api-base); plain http only to loopback.',
  }).optional(),
  max_tweets: positiveInt('Posts delivered per run, all streams together (--max-tweets).').optional(),
  batch_size: positiveInt('Posts per sink write (--batch-size).').optional(),
  time_budget_seconds: duration(1000, 1, 'Wall time of a run (--time-budget).').optional(),
  min_interval_ms: duration(1, 0, 'Minimum time between two API requests (--min-interval).').optional(),
  retry_base_ms: duration(1, 1, 'First backoff delay (--retry-base).').optional(),
  retry_max_ms: duration(1, 1, 'Longest backoff delay (--retry-max).').optional(),
  retry_attempts: positiveInt('Attempts per request, the first included (--retry-attempts).').optional(),
  lease_ttl_seconds: duration(1000, 1, 'Lease of each stream (--lease-ttl).').optional(),
  initial: initial('Default start of every stream without a checkpoint (--initial).').optional(),
  overlap_seconds: duration(1000, 0, 'Default re-read window of every stream (--overlap).').optional(),
  log_level: fromCheck(checkLogLevel, {
    enum: ['debug', 'info', 'warn', 'error'],
    description: 'Log level (--log-level).',
  }).optional(),
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
