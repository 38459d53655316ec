/**
 * The Lambda's configuration, from environment variables only, validated once at cold start. Any
 * problem is a ConfigError whose `setting` is the variable's name. docs/configuration.md (Lambda
 * section) documents every variable; infra/template.yaml sets exactly LAMBDA_ENV_DEPLOYED.
 */
import type { ProxySettings } from '../adapters/x-api/proxy.js';
import { ConfigError } from '../core/errors.js';
import type { LogLevel } from '../core/ports/observability.js';
import type { RunOptions } from '../core/run-types.js';
import type { SpendOptions } from '../core/spend.js';
import type { StreamSpec } from '../core/stream.js';
import {
  buildLayout,
  type CheckpointLayout,
  checkAttributeName,
  checkInvocationType,
  checkPayloadFormat,
  type InvocationType,
  type PayloadFormat,
} from './adoption.js';
import { DEFAULT_RUN_OPTIONS, DEFAULTS, LAMBDA_MAX_DURATION_MS } from './defaults.js';
import { StreamListSchema, validate } from './file-schema.js';
import { parseSinkLocation } from './locations.js';
import { assertUniqueNames, BUILT_IN_STREAM_DEFAULTS, buildStreamSpec, entryDraft } from './streams.js';
import { insecureTransportReason, readProxyEnv } from './transport.js';
import { checkBaseUrl, checkDuration, checkLogLevel, checkUsd } from './values.js';

/** Every variable this module reads. */
export const LAMBDA_ENV_VARS = [
  'CHECKPOINT_TABLE',
  'BEARER_TOKEN_PARAMETER',
  'X_BEARER_TOKEN',
  'SINK',
  'PARSER_FUNCTION_NAME',
  'STREAMS',
  'STREAMS_PARAMETER',
  'MAX_TWEETS_PER_EXECUTION',
  'BATCH_SIZE',
  'MIN_INTERVAL_MS',
  'X_API_BASE_URL',
  'SAFETY_MARGIN_MS',
  'LEASE_TTL_MS',
  'CONCURRENCY',
  'PARAMETER_MAX_AGE_SECONDS',
  'LAMBDA_PAYLOAD_LIMIT_BYTES',
  'LOG_LEVEL',
  'CHECKPOINT_KEY_ATTRIBUTE',
  'LEGACY_SINCE_ID_ATTRIBUTE',
  'PAYLOAD_FORMAT',
  'INVOCATION_TYPE',
  'MAX_SPEND_USD_PER_DAY',
  'MAX_SPEND_USD_PER_MONTH',
  'PRICE_PER_POST_USD',
  'ALLOW_INSECURE_HTTP',
] as const;
export type LambdaEnvVar = (typeof LAMBDA_ENV_VARS)[number];

/** Local-use alternatives the SAM template deliberately does not set (never a token in the environment). */
export const LAMBDA_ENV_LOCAL_ALTERNATIVES = [
  'X_BEARER_TOKEN',
  'PARSER_FUNCTION_NAME',
  'STREAMS',
  'ALLOW_INSECURE_HTTP',
] as const;

/** What infra/template.yaml sets on the function. */
// Pure: only the template test reads it, so the Lambda bundle drops it and the two lists above.
export const LAMBDA_ENV_DEPLOYED = /* @__PURE__ */ LAMBDA_ENV_VARS.filter(
  (name) => !(LAMBDA_ENV_LOCAL_ALTERNATIVES as readonly string[]).includes(name),
);

export type TokenLocation =
  | { readonly kind: 'ssm'; readonly parameter: string }
  | { readonly kind: 'env'; readonly value: string };
export type StreamsLocation =
  | { readonly kind: 'inline'; readonly streams: readonly StreamSpec[] }
  | { readonly kind: 'ssm'; readonly parameter: string };
export type LambdaSink =
  | { readonly kind: 'lambda'; readonly functionName: string }
  | { readonly kind: 'sqs'; readonly queueUrl: string };

export interface LambdaConfig {
  readonly tableName: string;
  readonly token: TokenLocation;
  readonly sink: LambdaSink;
  readonly streams: StreamsLocation;
  /**
   * The run options, the same type and defaults as the CLI's `PollConfig.run`:
   * MAX_TWEETS_PER_EXECUTION, BATCH_SIZE, MIN_INTERVAL_MS, LEASE_TTL_MS, CONCURRENCY and the spend variables.
   * `timeBudgetMs` is the longest invocation less SAFETY_MARGIN_MS; each invocation cuts it to the
   * time it has left.
   */
  readonly run: RunOptions;
  /** X_API_BASE_URL. @default 'https://api.x.com' */
  readonly apiBaseUrl: string;
  /**
   * SAFETY_MARGIN_MS: the run's budget ends this long before the invocation times out; the hard abort
   * fires halfway into it (src/entrypoints/invocation-time.ts). @default 60000
   */
  readonly stopBeforeTimeoutMs: number;
  /** Cache lifetime of SSM values in a warm container. @default 300 */
  readonly parameterMaxAgeSeconds: number;
  /** Largest Invoke payload of the Lambda sink. @default 262144 */
  readonly payloadLimitBytes: number;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** CHECKPOINT_KEY_ATTRIBUTE and LEGACY_SINCE_ID_ATTRIBUTE. @default stream, since_id */
  readonly layout: CheckpointLayout;
  /** PAYLOAD_FORMAT of the Lambda sink. @default 'envelope' */
  readonly payloadFormat: PayloadFormat;
  /** INVOCATION_TYPE of the Lambda sink. @default 'Event' */
  readonly invocationType: InvocationType;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY (e.g. a VPC without a NAT route but with a proxy). @default {} */
  readonly proxy: ProxySettings;
}

type Env = Readonly<Record<string, string | undefined>>;

function bad(name: LambdaEnvVar, why: string): ConfigError {
  return new ConfigError(`invalid environment variable ${name}: ${why}`, name);
}

function text(env: Env, name: LambdaEnvVar): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: LambdaEnvVar, fallback: number, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw bad(name, `must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

function usd(env: Env, name: LambdaEnvVar, min: 'zero' | 'positive'): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const check = checkUsd(raw, min);
  if (!check.ok) throw bad(name, `${check.reason}, got "${raw}"`);
  return check.value;
}

/** Issue 12: the spend budgets and price; an empty budget variable is no limit. */
function spendOptions(env: Env): SpendOptions {
  const day = usd(env, 'MAX_SPEND_USD_PER_DAY', 'zero');
  const month = usd(env, 'MAX_SPEND_USD_PER_MONTH', 'zero');
  return {
    pricePerPostUsd: usd(env, 'PRICE_PER_POST_USD', 'positive') ?? DEFAULTS.pricePerPostUsd,
    ...(day === undefined ? {} : { maxSpendUsdPerDay: day }),
    ...(month === undefined ? {} : { maxSpendUsdPerMonth: month }),
  };
}

/** A duration variable (`90s`, `15m`, `250ms`, ...) or a plain integer in the variable's own unit. */
function duration(env: Env, name: LambdaEnvVar, fallback: number, unitMs: 1 | 1000, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const check = checkDuration(raw, unitMs, 0);
  if (!check.ok || check.value < min) {
    const unit = unitMs === 1000 ? 'seconds' : 'milliseconds';
    throw bad(name, `must be a duration such as 90s or 15m, or an integer >= ${min} (${unit}), got "${raw}"`);
  }
  return check.value;
}

function exactlyOne(env: Env, a: LambdaEnvVar, b: LambdaEnvVar): [LambdaEnvVar, string] {
  const va = text(env, a);
  const vb = text(env, b);
  if (va !== undefined && vb !== undefined) throw bad(a, `set either ${a} or ${b}, not both`);
  if (va !== undefined) return [a, va];
  if (vb !== undefined) return [b, vb];
  throw new ConfigError(`missing environment variable ${a} (or ${b})`, a);
}

/** Parses the streams JSON (inline STREAMS or the STREAMS_PARAMETER value): the config file's `streams` list. */
export function parseStreamsJson(json: string, setting: string): StreamSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError(`invalid ${setting}: not valid JSON`, setting);
  }
  const result = validate(StreamListSchema, raw);
  if (!result.ok) throw new ConfigError(`invalid ${setting}: ${result.key}: ${result.message}`, setting);
  const specs = result.value.map((entry) => buildStreamSpec(entryDraft(entry), BUILT_IN_STREAM_DEFAULTS));
  try {
    assertUniqueNames(specs, (i) => `${setting}[${i}].name`);
  } catch (error) {
    // The variable is the setting an operator can fix; the message keeps the index.
    if (error instanceof ConfigError) throw new ConfigError(error.message, setting, { cause: error });
    throw error;
  }
  return specs;
}

/** Reads and validates the Lambda's environment. Throws ConfigError naming the first bad variable. */
export function readLambdaEnv(env: Env): LambdaConfig {
  const tableName = text(env, 'CHECKPOINT_TABLE');
  if (tableName === undefined)
    throw new ConfigError('missing environment variable CHECKPOINT_TABLE', 'CHECKPOINT_TABLE');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) throw bad('CHECKPOINT_TABLE', 'not a DynamoDB table name');

  const [tokenVar, tokenValue] = exactlyOne(env, 'BEARER_TOKEN_PARAMETER', 'X_BEARER_TOKEN');
  const token: TokenLocation =
    tokenVar === 'X_BEARER_TOKEN'
      ? { kind: 'env', value: tokenValue }
      : { kind: 'ssm', parameter: tokenValue };

  const [sinkVar, sinkValue] = exactlyOne(env, 'SINK', 'PARSER_FUNCTION_NAME');
  let sink: LambdaSink;
  if (sinkVar === 'PARSER_FUNCTION_NAME') sink = { kind: 'lambda', functionName: sinkValue };
  else {
    const location = parseSinkLocation(sinkValue, 'SINK');
    if (location.kind !== 'lambda' && location.kind !== 'sqs')
      throw bad('SINK', 'must be lambda:<function> or sqs:<queue-url>');
    sink = location;
  }

  const [streamsVar, streamsValue] = exactlyOne(env, 'STREAMS', 'STREAMS_PARAMETER');
  const streams: StreamsLocation =
    streamsVar === 'STREAMS'
      ? { kind: 'inline', streams: parseStreamsJson(streamsValue, 'STREAMS') }
      : { kind: 'ssm', parameter: streamsValue };

  const baseUrl = checkBaseUrl(text(env, 'X_API_BASE_URL') ?? DEFAULTS.apiBaseUrl);
  if (!baseUrl.ok) throw bad('X_API_BASE_URL', baseUrl.reason);
  const insecure = text(env, 'ALLOW_INSECURE_HTTP')?.toLowerCase() ?? 'false';
  if (insecure !== 'true' && insecure !== 'false') throw bad('ALLOW_INSECURE_HTTP', 'must be true or false');
  const insecureReason = insecureTransportReason(baseUrl.value, insecure === 'true');
  if (insecureReason !== undefined) throw bad('X_API_BASE_URL', insecureReason);
  const level = checkLogLevel(text(env, 'LOG_LEVEL')?.toLowerCase() ?? DEFAULTS.logLevel);
  if (!level.ok) throw bad('LOG_LEVEL', level.reason);
  const checked = <T>(
    name: LambdaEnvVar,
    check: (raw: unknown) => { ok: true; value: T } | { ok: false; reason: string },
  ) => {
    const raw = text(env, name);
    if (raw === undefined) return undefined;
    const result = check(raw);
    if (!result.ok) throw bad(name, result.reason);
    return result.value;
  };
  const layout = buildLayout(
    checked('CHECKPOINT_KEY_ATTRIBUTE', checkAttributeName),
    checked('LEGACY_SINCE_ID_ATTRIBUTE', checkAttributeName),
    { key: 'CHECKPOINT_KEY_ATTRIBUTE', legacy: 'LEGACY_SINCE_ID_ATTRIBUTE' },
  );
  const payloadFormat = checked('PAYLOAD_FORMAT', checkPayloadFormat) ?? DEFAULTS.payloadFormat;
  const invocationType = checked('INVOCATION_TYPE', checkInvocationType) ?? DEFAULTS.invocationType;

  const stopBeforeTimeoutMs = duration(env, 'SAFETY_MARGIN_MS', DEFAULTS.stopBeforeTimeoutMs, 1, 0);
  const run: RunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    maxTweets: integer(env, 'MAX_TWEETS_PER_EXECUTION', DEFAULTS.maxTweets, 1),
    batchSize: integer(env, 'BATCH_SIZE', DEFAULTS.batchSize, 1),
    minIntervalMs: duration(env, 'MIN_INTERVAL_MS', DEFAULTS.minIntervalMs, 1, 0),
    leaseTtlMs: duration(env, 'LEASE_TTL_MS', DEFAULTS.leaseTtlMs, 1, 1000),
    concurrency: integer(env, 'CONCURRENCY', DEFAULTS.concurrency, 1),
    timeBudgetMs: Math.max(0, LAMBDA_MAX_DURATION_MS - stopBeforeTimeoutMs),
    spend: spendOptions(env),
  };
  return {
    tableName,
    token,
    sink,
    streams,
    run,
    apiBaseUrl: baseUrl.value,
    stopBeforeTimeoutMs,
    parameterMaxAgeSeconds: duration(
      env,
      'PARAMETER_MAX_AGE_SECONDS',
      DEFAULTS.parameterMaxAgeMs / 1000,
      1000,
      0,
    ),
    payloadLimitBytes: integer(env, 'LAMBDA_PAYLOAD_LIMIT_BYTES', DEFAULTS.payloadLimitBytes, 1024),
    logLevel: level.value,
    layout,
    payloadFormat,
    invocationType,
    proxy: readProxyEnv(env),
  };
}
