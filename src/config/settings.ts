/**
 * The other half of the defaults table (src/config/defaults.ts): for every default, where it is
 * given (the `poll`, `report` or `plan` flag, the config file key, the Lambda variable), the unit a
 * plain number of it is read in, and one line saying what it is. `--help` and the docs' generated
 * block read it; the Lambda bundle does not.
 */
import { DEFAULTS, type SettingName } from './defaults.js';

/** Where a setting is given and what it is. */
export interface SettingInfo {
  /** The flag that sets it. @default none */
  readonly flag?: string;
  /** The unit of a plain number given to the flag (durations). @default 'ms' */
  readonly flagUnit?: 'ms' | 's';
  /** The config file key. @default none */
  readonly key?: string;
  /** The Lambda environment variable. @default none */
  readonly env?: string;
  /** The unit of a plain number given to the variable (durations). @default 'ms' */
  readonly envUnit?: 'ms' | 's';
  /** What it is, in one line. */
  readonly description: string;
}

/** Every setting of {@link DEFAULTS}. */
export const SETTINGS: Readonly<Record<SettingName, SettingInfo>> = {
  store: {
    flag: '--store',
    key: 'store',
    description: 'where checkpoints live (the path is per user: src/config/state-dir.ts)',
  },
  sink: { flag: '--sink', key: 'sink', description: 'where posts go' },
  apiBaseUrl: {
    flag: '--api-base',
    key: 'api_base',
    env: 'X_API_BASE_URL',
    description: 'the X API base URL',
  },
  maxTweets: {
    flag: '--max-tweets',
    key: 'max_tweets',
    env: 'MAX_TWEETS_PER_EXECUTION',
    description: 'posts delivered per run, all streams together',
  },
  batchSize: {
    flag: '--batch-size',
    key: 'batch_size',
    env: 'BATCH_SIZE',
    description: 'posts per sink write',
  },
  commitPages: {
    flag: '--commit-pages',
    key: 'commit_pages',
    description: 'group commit: the most pages written and not committed (a commit starts at half)',
  },
  commitIntervalMs: {
    flag: '--commit-interval',
    key: 'commit_interval_ms',
    description: 'group commit: time since the last commit before the next one',
  },
  timeBudgetMs: {
    flag: '--time-budget',
    flagUnit: 's',
    key: 'time_budget_seconds',
    description: 'wall time of a run (the Lambda: its remaining time less SAFETY_MARGIN_MS)',
  },
  finalCommitReserveMs: {
    description: 'kept in hand before the time budget ends, for the last commit (CLI: at most budget/4)',
  },
  minIntervalMs: {
    flag: '--min-interval',
    key: 'min_interval_ms',
    env: 'MIN_INTERVAL_MS',
    description: 'minimum time between two API requests',
  },
  pacingThreshold: { description: 'share of a rate-limit window used before requests are paced' },
  retryBaseMs: {
    flag: '--retry-base',
    key: 'retry_base_ms',
    description: 'first backoff delay (full jitter)',
  },
  retryMaxMs: { flag: '--retry-max', key: 'retry_max_ms', description: 'longest backoff delay' },
  retryAttempts: {
    flag: '--retry-attempts',
    key: 'retry_attempts',
    description: 'attempts per request, the first included',
  },
  leaseTtlMs: {
    flag: '--lease-ttl',
    flagUnit: 's',
    key: 'lease_ttl_seconds',
    env: 'LEASE_TTL_MS',
    description: 'how long a crashed run keeps its streams locked',
  },
  initial: { flag: '--initial', key: 'initial', description: 'where a stream without a checkpoint starts' },
  overlapMs: {
    flag: '--overlap',
    flagUnit: 's',
    key: 'overlap_seconds',
    description: 're-read this far behind the checkpoint, for posts indexed late',
  },
  weight: {
    key: 'weight',
    description: "a stream's part of the run's budgets relative to the other streams",
  },
  logLevel: {
    flag: '--log-level',
    key: 'log_level',
    env: 'LOG_LEVEL',
    description: 'debug, info, warn or error',
  },
  pricePerPostUsd: {
    flag: '--price-per-post',
    key: 'price_per_post_usd',
    env: 'PRICE_PER_POST_USD',
    description: 'USD per post read (pay-per-use)',
  },
  concurrency: {
    flag: '--concurrency',
    key: 'concurrency',
    env: 'CONCURRENCY',
    description: 'streams polled at once in one process',
  },
  rateBudget: {
    flag: '--rate-budget',
    key: 'rate_budget',
    description: 'shared: pace with every process on the store; local: alone',
  },
  dynamodbKey: {
    flag: '--dynamodb-key',
    key: 'dynamodb_key',
    env: 'CHECKPOINT_KEY_ATTRIBUTE',
    description: "the DynamoDB table's partition key",
  },
  legacySinceIdAttribute: {
    flag: '--legacy-since-id-attribute',
    key: 'legacy_since_id_attribute',
    env: 'LEGACY_SINCE_ID_ATTRIBUTE',
    description: "the old poller's string since_id attribute",
  },
  payloadFormat: {
    flag: '--payload-format',
    key: 'payload_format',
    env: 'PAYLOAD_FORMAT',
    description: 'the Lambda sink payload shape',
  },
  invocationType: {
    flag: '--invocation-type',
    key: 'invocation_type',
    env: 'INVOCATION_TYPE',
    description: 'the Lambda sink Invoke type',
  },
  reportSince: { flag: '--since', description: '`report`: the period covered' },
  reportOut: { flag: '--out', description: '`report`: the HTML file written' },
  shardSize: { flag: '--shard-size', env: 'FANOUT_SHARD_SIZE', description: 'fan-out: streams per shard' },
  fanoutMode: { env: 'FANOUT_MODE', description: 'fan-out: single or sqs' },
  stopBeforeTimeoutMs: {
    env: 'SAFETY_MARGIN_MS',
    description: "Lambda: kept back from the invocation's remaining time",
  },
  parameterMaxAgeMs: {
    env: 'PARAMETER_MAX_AGE_SECONDS',
    envUnit: 's',
    description: 'Lambda: cache lifetime of SSM values in a warm container',
  },
  payloadLimitBytes: {
    env: 'LAMBDA_PAYLOAD_LIMIT_BYTES',
    description: 'Lambda sink: largest Invoke payload',
  },
  responseTimeoutMs: { description: 'X API: connect plus response headers' },
  bodyTimeoutMs: { description: 'X API: reading the body once headers arrived' },
};

/**
 * A default as written where it is given: a duration as a plain number of the flag's (or the
 * variable's) unit, anything else as is. `shown('leaseTtlMs', 'flag')` is `60`, `shown('leaseTtlMs', 'env')` `60000`.
 */
export function shown(name: SettingName, where: 'flag' | 'env'): string {
  const value = DEFAULTS[name];
  if (!name.endsWith('Ms')) return String(value);
  const unit = where === 'flag' ? SETTINGS[name].flagUnit : SETTINGS[name].envUnit;
  return String((value as number) / (unit === 's' ? 1000 : 1));
}

/** The markers around the generated table in docs/configuration.md (`npm run docs` rewrites it). */
export const DOCS_MARKERS = {
  start: '<!-- defaults:start (generated by `npm run docs` from src/config/defaults.ts and settings.ts) -->',
  end: '<!-- defaults:end -->',
} as const;

/** The defaults table of docs/configuration.md, one row per setting, in table order. */
export function defaultsMarkdown(): string {
  const code = (text: string | undefined) => (text === undefined ? '' : `\`${text}\``);
  const rows = (Object.keys(DEFAULTS) as SettingName[]).map((name) => {
    const info = SETTINGS[name];
    const value = name.endsWith('Ms') ? `${code(String(DEFAULTS[name]))} ms` : code(String(DEFAULTS[name]));
    const flag = info.flag === undefined ? '' : `${code(info.flag)}${info.flagUnit === 's' ? ' (s)' : ''}`;
    const env = info.env === undefined ? '' : `${code(info.env)}${info.envUnit === 's' ? ' (s)' : ''}`;
    return `| ${name} | ${value} | ${flag} | ${code(info.key)} | ${env} | ${info.description} |`;
  });
  return [
    '| setting | default | flag | config key | Lambda variable | meaning |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
