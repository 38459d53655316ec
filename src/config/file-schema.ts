/**
 * The config file's schema (JSON or YAML) and the `streams` entries the Lambda's STREAMS variable
 * shares with it. Written with zod/mini (zod 4's tree-shakable functional API, ~16 KB in the Lambda
 * bundle against ~85 KB for the classic API and ~450 KB for `import { z } from 'zod'`, which drags in
 * every locale; bench/README.md): every schema carries its own message, so no locale is needed.
 * `z.toJSONSchema` works on these schemas too: docs/streams.schema.json is generated from them
 * (src/config/json-schema.ts), with the descriptions registered below.
 */
import * as z from 'zod/mini';
import { INVOCATION_TYPES, PAYLOAD_FORMATS } from '../adapters/sinks/payload-format.js';
import { checkAttributeName, checkInvocationType, checkPayloadFormat } from './adoption.js';
import {
  type Check,
  checkBaseUrl,
  checkDuration,
  checkExclude,
  checkInitial,
  checkInteger,
  checkLogLevel,
  checkRateBudget,
  checkUsd,
  checkWeight,
} from './values.js';

/** What docs/streams.schema.json says about a setting (editors only: zod validates). */
type JsonSchemaHint = Readonly<Record<string, unknown>>;

/** Registers `hint` as `schema`'s JSON Schema metadata (merged into the generated schema). */
function described<S extends z.ZodMiniType>(schema: S, hint: JsonSchemaHint): S {
  z.globalRegistry.add(schema, hint);
  return schema;
}

/**
 * Adapts a `check*` function into a zod schema whose error message is the check's reason; `hint`
 * describes the accepted input in docs/streams.schema.json.
 */
function fromCheck<T>(check: (raw: unknown) => Check<T>, hint: JsonSchemaHint): z.ZodMiniType<T> {
  const schema = z.pipe(
    z.unknown(),
    z.transform((raw, ctx) => {
      const result = check(raw);
      if (result.ok) return result.value;
      ctx.issues.push({ code: 'custom', message: result.reason, input: raw });
      return z.NEVER;
    }),
  );
  return described(schema, hint) as unknown as z.ZodMiniType<T>;
}

const DURATION_PATTERN = '^[0-9]{1,9}(ms|s|m|h|d)$';

const NON_EMPTY = 'must be a non-empty string';
const nonEmpty = z.string({ error: NON_EMPTY }).check(z.trim(), z.minLength(1, { error: NON_EMPTY }));
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
/** An optional setting with its description for editors. */
const optional = <S extends z.ZodMiniType>(schema: S, description: string) =>
  described(z.optional(schema), { description });

/** One entry of `streams:`. Exactly one of query, user or mentions. */
export const StreamEntrySchema = z
  .strictObject(
    {
      name: optional(
        nonEmpty,
        'The checkpoint key; default search:<query>, timeline:<user>, mentions:<user>.',
      ),
      query: optional(
        z
          .string({ error: NON_EMPTY })
          .check(
            z.trim(),
            z.minLength(1, { error: NON_EMPTY }),
            z.maxLength(4096, { error: 'must be at most 4096 characters' }),
          ),
        'Recent search query (full archive with archive: true).',
      ),
      user: optional(nonEmpty, "A user's timeline: @name, user:name, id:123 or a numeric id."),
      mentions: optional(nonEmpty, 'Posts mentioning a user: @name, user:name, id:123 or a numeric id.'),
      archive: optional(
        z.boolean({ error: 'must be true or false' }),
        'With query: full-archive search (/2/tweets/search/all).',
      ),
      exclude: z.optional(
        fromCheck(checkExclude, {
          type: 'array',
          items: { enum: ['replies', 'retweets'] },
          uniqueItems: true,
          minItems: 1,
          description: 'With user: leave out replies and/or retweets.',
        }),
      ),
      tweet_fields: optional(fieldList, 'tweet.fields of each request.'),
      user_fields: optional(fieldList, 'user.fields of each request.'),
      expansions: optional(fieldList, 'expansions of each request (author_id adds _author to each line).'),
      initial: z.optional(initial('Where this stream starts without a checkpoint.')),
      overlap_seconds: z.optional(duration(1000, 0, 'Re-read this far below the checkpoint each run.')),
      weight: z.optional(
        fromCheck(checkWeight, {
          type: 'number',
          exclusiveMinimum: 0,
          description: "This stream's share of the run's budgets relative to the others.",
        }),
      ),
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
described(StreamEntrySchema, {
  oneOf: [{ required: ['query'] }, { required: ['user'] }, { required: ['mentions'] }],
});

/** A non-empty list of stream entries (the config file's `streams`, the Lambda's STREAMS). */
export const StreamListSchema = z
  .array(StreamEntrySchema, { error: 'must be a list of streams' })
  .check(z.minLength(1, { error: 'must list at least one stream' }));

/** A config file (JSON or YAML): streams plus defaults of the command-line options. */
export const ConfigFileSchema = z.strictObject(
  {
    streams: StreamListSchema,
    store: optional(nonEmpty, 'sqlite:<path>, memory or dynamodb:<table> (--store).'),
    sink: optional(
      nonEmpty,
      'jsonl:<path>, jsonl:- (stdout), lambda:<function> or sqs:<queue-url> (--sink).',
    ),
    api_base: z.optional(
      fromCheck(checkBaseUrl, {
        type: 'string',
        pattern: '^https?://',
        description: 'API base URL (--api-base); plain http only to loopback.',
      }),
    ),
    max_tweets: z.optional(positiveInt('Posts delivered per run, all streams together (--max-tweets).')),
    batch_size: z.optional(positiveInt('Posts per sink write (--batch-size).')),
    commit_pages: z.optional(positiveInt('Pages written before a commit, at most (--commit-pages).')),
    commit_interval_ms: z.optional(
      duration(1, 0, 'Time since the last commit before the next, at most (--commit-interval).'),
    ),
    time_budget_seconds: z.optional(duration(1000, 1, 'Wall time of a run (--time-budget).')),
    min_interval_ms: z.optional(duration(1, 0, 'Minimum time between two API requests (--min-interval).')),
    retry_base_ms: z.optional(duration(1, 1, 'First backoff delay (--retry-base).')),
    retry_max_ms: z.optional(duration(1, 1, 'Longest backoff delay (--retry-max).')),
    retry_attempts: z.optional(positiveInt('Attempts per request, the first included (--retry-attempts).')),
    lease_ttl_seconds: z.optional(duration(1000, 1, 'Lease of each stream (--lease-ttl).')),
    initial: z.optional(initial('Default start of every stream without a checkpoint (--initial).')),
    overlap_seconds: z.optional(duration(1000, 0, 'Default re-read window of every stream (--overlap).')),
    log_level: z.optional(
      fromCheck(checkLogLevel, {
        enum: ['debug', 'info', 'warn', 'error'],
        description: 'Log level (--log-level).',
      }),
    ),
    dynamodb_key: z.optional(
      fromCheck(checkAttributeName, {
        type: 'string',
        pattern: '^\\S{1,255}$',
        description: "The dynamodb table's partition key attribute (--dynamodb-key); default stream.",
      }),
    ),
    legacy_since_id_attribute: z.optional(
      fromCheck(checkAttributeName, {
        type: 'string',
        pattern: '^\\S{1,255}$',
        description:
          "The old poller's string since_id attribute, adopted and kept in step with every commit (--legacy-since-id-attribute); default since_id.",
      }),
    ),
    payload_format: z.optional(
      fromCheck(checkPayloadFormat, {
        enum: [...PAYLOAD_FORMATS],
        description: 'Lambda sink payload: envelope, tweets or array (--payload-format); default envelope.',
      }),
    ),
    invocation_type: z.optional(
      fromCheck(checkInvocationType, {
        enum: [...INVOCATION_TYPES],
        description: 'Lambda sink Invoke: Event or RequestResponse (--invocation-type); default Event.',
      }),
    ),
    max_spend_usd_per_day: z.optional(
      fromCheck((raw) => checkUsd(raw, 'zero'), {
        type: 'number',
        minimum: 0,
        description:
          'Pay-per-use budget in USD per UTC day, every process on the store together (--max-spend-day).',
      }),
    ),
    max_spend_usd_per_month: z.optional(
      fromCheck((raw) => checkUsd(raw, 'zero'), {
        type: 'number',
        minimum: 0,
        description: 'Pay-per-use budget in USD per UTC calendar month (--max-spend-month).',
      }),
    ),
    price_per_post_usd: z.optional(
      fromCheck((raw) => checkUsd(raw, 'positive'), {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'USD per post read; a re-read the same UTC day is free (--price-per-post).',
      }),
    ),
    concurrency: z.optional(positiveInt('Streams polled at once in this process (--concurrency).')),
    rate_budget: z.optional(
      fromCheck(checkRateBudget, {
        enum: ['shared', 'local'],
        description:
          'shared: the app-wide rate budget kept in the store; local: this process alone (--rate-budget).',
      }),
    ),
  },
  { error: 'must be a mapping of settings' },
);

export type StreamEntry = z.output<typeof StreamEntrySchema>;
export type ConfigFile = z.output<typeof ConfigFileSchema>;

/**
 * ` (stream "alpha")` for an error inside `streams[i]` of `raw` (the unparsed list or file), so the
 * message names the stream as well as the setting; '' when the entry has no usable name.
 */
export function streamLabel(raw: unknown, path: readonly PropertyKey[]): string {
  const list = Array.isArray(raw) ? raw : (raw as { streams?: unknown } | null)?.streams;
  const index = Array.isArray(raw) ? path[0] : path[0] === 'streams' ? path[1] : undefined;
  if (!Array.isArray(list) || typeof index !== 'number') return '';
  const entry = list[index] as Record<string, unknown> | undefined;
  const text = (key: string): string | undefined => {
    const value = entry?.[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const name =
    text('name') ??
    (text('query') && `search:${text('query')}`) ??
    (text('user') && `timeline:${text('user')}`) ??
    (text('mentions') && `mentions:${text('mentions')}`);
  return name === undefined ? '' : ` (stream "${name}")`;
}

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
  // A weight is relative to the other streams: name the stream it belongs to as well as the key.
  const stream = issue.path.at(-1) === 'weight' ? streamLabel(raw, issue.path) : '';
  return { ok: false, key, message: `${issue.message}${stream}` };
}
