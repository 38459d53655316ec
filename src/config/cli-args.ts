import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import type { RunOptions } from '../core/run-types.js';
import type { StreamSource, StreamSpec } from '../core/stream.js';
import {
  buildLayout,
  type CheckpointLayout,
  checkAttributeName,
  checkInvocationType,
  checkPayloadFormat,
} from './adoption.js';
import { DEFAULT_RUN_OPTIONS, DEFAULTS } from './defaults.js';
import { parseFanout } from './fanout.js';
import type { ConfigFile } from './file-schema.js';
import { parseSinkLocation, parseStoreLocation } from './locations.js';
import { parseSpendOptions } from './spend-options.js';
import { defaultStore } from './state-dir.js';
import {
  assertUniqueNames,
  BUILT_IN_STREAM_DEFAULTS,
  buildStreamSpec,
  entryDraft,
  entrySource,
  parseUser,
  type StreamDefaults,
} from './streams.js';
import { assertTokenTransport, readProxyEnv } from './transport.js';
import type {
  CliCommand,
  MigrateConfig,
  PlanConfig,
  PollConfig,
  ReportConfig,
  StatusConfig,
  StoreLocation,
} from './types.js';
import {
  checkBaseUrl,
  checkDuration,
  checkExclude,
  checkInitial,
  checkInteger,
  checkLogLevel,
  checkPeriod,
  checkRateBudget,
  required,
} from './values.js';

/** Every flag of every command, once; each command lists the ones it takes. */
const FLAGS = {
  query: { type: 'string' },
  user: { type: 'string' },
  mentions: { type: 'string' },
  config: { type: 'string' },
  archive: { type: 'boolean' },
  exclude: { type: 'string' },
  stream: { type: 'string' },
  store: { type: 'string' },
  sink: { type: 'string' },
  'max-tweets': { type: 'string' },
  'batch-size': { type: 'string' },
  'commit-pages': { type: 'string' },
  'commit-interval': { type: 'string' },
  'time-budget': { type: 'string' },
  'min-interval': { type: 'string' },
  'retry-base': { type: 'string' },
  'retry-max': { type: 'string' },
  'retry-attempts': { type: 'string' },
  'lease-ttl': { type: 'string' },
  initial: { type: 'string' },
  overlap: { type: 'string' },
  'reset-checkpoint': { type: 'boolean' },
  'api-base': { type: 'string' },
  'log-level': { type: 'string' },
  'dynamodb-key': { type: 'string' },
  'legacy-since-id-attribute': { type: 'string' },
  'payload-format': { type: 'string' },
  'invocation-type': { type: 'string' },
  'max-spend-day': { type: 'string' },
  'max-spend-month': { type: 'string' },
  'price-per-post': { type: 'string' },
  concurrency: { type: 'string' },
  'rate-budget': { type: 'string' },
  'allow-insecure-http': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  apply: { type: 'boolean' },
  'skip-corrupt': { type: 'boolean' },
  fanout: { type: 'string' },
  queue: { type: 'string' },
  'shard-size': { type: 'string' },
  since: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

/** The parser options of a command that takes `names`. */
function flags<const K extends keyof typeof FLAGS>(...names: K[]): Pick<typeof FLAGS, K> {
  return Object.fromEntries(names.map((name) => [name, FLAGS[name]])) as Pick<typeof FLAGS, K>;
}

const LAYOUT = ['dynamodb-key', 'legacy-since-id-attribute'] as const;
const POLL_OPTIONS = flags(
  'query',
  'user',
  'mentions',
  'config',
  'archive',
  'exclude',
  'stream',
  'store',
  'sink',
  'max-tweets',
  'batch-size',
  'commit-pages',
  'commit-interval',
  'time-budget',
  'min-interval',
  'retry-base',
  'retry-max',
  'retry-attempts',
  'lease-ttl',
  'initial',
  'overlap',
  'reset-checkpoint',
  'api-base',
  'log-level',
  ...LAYOUT,
  'payload-format',
  'invocation-type',
  'max-spend-day',
  'max-spend-month',
  'price-per-post',
  'concurrency',
  'rate-budget',
  'allow-insecure-http',
  'quiet',
  'help',
  'version',
);
const STATUS_OPTIONS = flags('store', 'config', 'json', ...LAYOUT, 'help', 'version');
const MIGRATE_OPTIONS = flags(
  'store',
  'config',
  'apply',
  'skip-corrupt',
  'json',
  ...LAYOUT,
  'help',
  'version',
);
const PLAN_OPTIONS = flags(
  'config',
  'store',
  'fanout',
  'queue',
  'shard-size',
  'time-budget',
  'min-interval',
  'help',
);
const REPORT_OPTIONS = flags('store', 'config', 'since', 'out', 'dynamodb-key', 'help', 'version');
const INIT_OPTIONS = flags('force', 'help', 'version');

/**
 * Every flag each command's parser accepts (test/cli/flags-documented.test.ts checks that each one
 * is in that command's --help and in docs/configuration.md).
 */
export const COMMAND_OPTIONS = {
  poll: POLL_OPTIONS,
  status: STATUS_OPTIONS,
  migrate: MIGRATE_OPTIONS,
  init: INIT_OPTIONS,
  report: REPORT_OPTIONS,
  plan: PLAN_OPTIONS,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates a command line (`argv` without node and the script) and the environment. Throws a
 * ConfigError naming the setting for anything invalid; the CLI prints it and exits 2.
 */
export async function parseCliArgs(argv: readonly string[], env: Env): Promise<CliCommand> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { command: 'help', topic: 'main' };
  }
  if (command === '--version' || command === '-v' || command === '-V' || command === 'version')
    return { command: 'version' };
  if (command === 'poll') {
    const values = parse(rest, POLL_OPTIONS);
    if (values.help) return { command: 'help', topic: 'poll' };
    return values.version ? { command: 'version' } : parsePoll(values, env);
  }
  if (command === 'status') {
    const values = parse(rest, STATUS_OPTIONS);
    if (values.help) return { command: 'help', topic: 'status' };
    return values.version ? { command: 'version' } : parseStatus(values, env);
  }
  if (command === 'migrate') {
    const values = parse(rest, MIGRATE_OPTIONS);
    if (values.help) return { command: 'help', topic: 'migrate' };
    return values.version ? { command: 'version' } : parseMigrate(values, env);
  }
  if (command === 'plan') {
    const values = parse(rest, PLAN_OPTIONS);
    return values.help ? { command: 'help', topic: 'plan' } : parsePlan(values);
  }
  if (command === 'report') {
    const values = parse(rest, REPORT_OPTIONS);
    if (values.help) return { command: 'help', topic: 'report' };
    return values.version ? { command: 'version' } : parseReport(values, env);
  }
  if (command === 'init') return parseInit(rest);
  throw new ConfigError(
    `invalid command: unknown command "${command}" (expected poll, status, report, migrate, init, plan, emulator or demo)`,
    'command',
  );
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'option';
    const why = /argument missing/.test(message)
      ? 'needs a value'
      : /ambiguous/.test(message)
        ? `needs a value (write ${flag}=<value> for a value starting with -)`
        : /Unexpected argument/.test(message)
          ? `unexpected argument (${message.split('\n')[0]})`
          : 'unknown option';
    throw new ConfigError(`invalid ${flag}: ${why}`, flag, { cause });
  }
}

/** `init [file] [--force]`: the one command that takes a positional argument. */
function parseInit(args: readonly string[]): CliCommand {
  const positionals = args.filter((a) => !a.startsWith('-'));
  const values = parse(
    args.filter((a) => a.startsWith('-')),
    INIT_OPTIONS,
  );
  if (values.help) return { command: 'help', topic: 'init' };
  if (values.version) return { command: 'version' };
  if (positionals.length > 1) {
    throw new ConfigError(`invalid init: takes one file name, got ${positionals.length}`, 'init');
  }
  return { command: 'init', path: positionals[0] ?? 'streams.yaml', force: values.force ?? false };
}

type PollValues = ReturnType<typeof parse<typeof POLL_OPTIONS>>;

async function parsePoll(v: PollValues, env: Env): Promise<PollConfig> {
  const sourceFlags = (['query', 'user', 'mentions', 'config'] as const).filter((k) => v[k] !== undefined);
  if (sourceFlags.length !== 1) {
    const why =
      sourceFlags.length === 0
        ? 'poll needs a source'
        : `${sourceFlags.map((f) => `--${f}`).join(' and ')} conflict`;
    throw new ConfigError(
      `invalid --query: ${why}: give exactly one of --query, --user, --mentions or --config`,
      '--query',
    );
  }
  if (v.archive && v.query === undefined)
    throw new ConfigError('invalid --archive: only applies to --query', '--archive');
  if (v.exclude !== undefined && v.user === undefined) {
    throw new ConfigError('invalid --exclude: only applies to --user', '--exclude');
  }
  const file: ConfigFile | undefined = v.config === undefined ? undefined : await loadConfigFile(v.config);

  const int = (
    flag: string,
    raw: string | undefined,
    fileValue: number | undefined,
    fallback: number,
    min: 0 | 1,
  ) => (raw === undefined ? (fileValue ?? fallback) : required(checkInteger(raw, min), flag));
  /** A duration flag, as a whole number of its unit (plain numbers are in that unit). */
  const dur = (
    flag: string,
    raw: string | undefined,
    fileValue: number | undefined,
    fallback: number,
    unitMs: 1 | 1000,
    min: 0 | 1,
  ) => (raw === undefined ? (fileValue ?? fallback) : required(checkDuration(raw, unitMs, min), flag));

  const defaults: StreamDefaults = {
    initial:
      v.initial === undefined
        ? (file?.initial ?? BUILT_IN_STREAM_DEFAULTS.initial)
        : required(checkInitial(v.initial), '--initial'),
    overlapSeconds: dur('--overlap', v.overlap, file?.overlap_seconds, DEFAULTS.overlapMs / 1000, 1000, 0),
  };
  const streams = selectStreams(v, file, defaults);
  const timeBudgetMs =
    dur('--time-budget', v['time-budget'], file?.time_budget_seconds, DEFAULTS.timeBudgetMs / 1000, 1000, 1) *
    1000;
  const concurrency = int('--concurrency', v.concurrency, file?.concurrency, DEFAULTS.concurrency, 1);
  const run: RunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    concurrency,
    maxTweets: int('--max-tweets', v['max-tweets'], file?.max_tweets, DEFAULTS.maxTweets, 1),
    batchSize: int('--batch-size', v['batch-size'], file?.batch_size, DEFAULTS.batchSize, 1),
    commitPages: int('--commit-pages', v['commit-pages'], file?.commit_pages, DEFAULTS.commitPages, 1),
    commitIntervalMs: dur(
      '--commit-interval',
      v['commit-interval'],
      file?.commit_interval_ms,
      DEFAULTS.commitIntervalMs,
      1,
      0,
    ),
    minIntervalMs: dur(
      '--min-interval',
      v['min-interval'],
      file?.min_interval_ms,
      DEFAULTS.minIntervalMs,
      1,
      0,
    ),
    retry: {
      baseDelayMs: dur('--retry-base', v['retry-base'], file?.retry_base_ms, DEFAULTS.retryBaseMs, 1, 1),
      maxDelayMs: dur('--retry-max', v['retry-max'], file?.retry_max_ms, DEFAULTS.retryMaxMs, 1, 1),
      maxAttempts: int(
        '--retry-attempts',
        v['retry-attempts'],
        file?.retry_attempts,
        DEFAULTS.retryAttempts,
        1,
      ),
    },
    leaseTtlMs:
      dur('--lease-ttl', v['lease-ttl'], file?.lease_ttl_seconds, DEFAULTS.leaseTtlMs / 1000, 1000, 1) * 1000,
    timeBudgetMs,
    // A short budget (tests, manual runs) keeps a quarter in hand rather than the full 5 s.
    finalCommitReserveMs: Math.min(DEFAULTS.finalCommitReserveMs, Math.floor(timeBudgetMs / 4)),
    spend: parseSpendOptions(v, file),
  };
  const store = resolveStore(v.store, file?.store, env);
  const sink = parseSinkLocation(
    v.sink ?? file?.sink ?? DEFAULTS.sink,
    v.sink === undefined && file?.sink ? 'sink' : '--sink',
  );
  const apiBaseUrl =
    v['api-base'] !== undefined
      ? required(checkBaseUrl(v['api-base']), '--api-base')
      : env.X_API_BASE_URL
        ? required(checkBaseUrl(env.X_API_BASE_URL), 'X_API_BASE_URL')
        : (file?.api_base ?? DEFAULTS.apiBaseUrl);
  const apiBaseSetting =
    v['api-base'] !== undefined ? '--api-base' : env.X_API_BASE_URL ? 'X_API_BASE_URL' : 'api_base';
  assertTokenTransport(apiBaseUrl, apiBaseSetting, v['allow-insecure-http'] ?? false);
  const proxy = readProxyEnv(env);
  const logLevel =
    v['log-level'] === undefined
      ? (file?.log_level ?? DEFAULTS.logLevel)
      : required(checkLogLevel(v['log-level']), '--log-level');
  const bearerToken = env.X_BEARER_TOKEN?.trim() ?? '';
  if (bearerToken === '') {
    throw new ConfigError(
      'invalid X_BEARER_TOKEN: the environment variable must hold the app bearer token',
      'X_BEARER_TOKEN',
    );
  }
  return {
    command: 'poll',
    streams,
    run,
    store,
    sink,
    apiBaseUrl,
    bearerToken,
    resetCheckpoint: v['reset-checkpoint'] ?? false,
    logLevel,
    dynamodbLayout: layoutOf(v, file),
    payloadFormat:
      v['payload-format'] === undefined
        ? (file?.payload_format ?? DEFAULTS.payloadFormat)
        : required(checkPayloadFormat(v['payload-format']), '--payload-format'),
    invocationType:
      v['invocation-type'] === undefined
        ? (file?.invocation_type ?? DEFAULTS.invocationType)
        : required(checkInvocationType(v['invocation-type']), '--invocation-type'),
    concurrency,
    rateBudget:
      v['rate-budget'] === undefined
        ? (file?.rate_budget ?? DEFAULTS.rateBudget)
        : required(checkRateBudget(v['rate-budget']), '--rate-budget'),
    proxy,
    progress: progressWanted(v.quiet ?? false, env),
  };
}

/** The dynamodb table layout from the flags, else the config file, else the defaults. */
function layoutOf(
  v: { 'dynamodb-key'?: string | undefined; 'legacy-since-id-attribute'?: string | undefined },
  file: ConfigFile | undefined,
): CheckpointLayout {
  const key = v['dynamodb-key'];
  const legacy = v['legacy-since-id-attribute'];
  return buildLayout(
    key === undefined ? file?.dynamodb_key : required(checkAttributeName(key), '--dynamodb-key'),
    legacy === undefined
      ? file?.legacy_since_id_attribute
      : required(checkAttributeName(legacy), '--legacy-since-id-attribute'),
    {
      key: key === undefined && file?.dynamodb_key ? 'dynamodb_key' : '--dynamodb-key',
      legacy:
        legacy === undefined && file?.legacy_since_id_attribute
          ? 'legacy_since_id_attribute'
          : '--legacy-since-id-attribute',
    },
  );
}

function selectStreams(v: PollValues, file: ConfigFile | undefined, defaults: StreamDefaults): StreamSpec[] {
  if (file === undefined) {
    const source: StreamSource =
      v.query !== undefined
        ? { kind: 'search', query: required(nonEmpty(v.query), '--query'), archive: v.archive ?? false }
        : v.user !== undefined
          ? {
              kind: 'timeline',
              ...parseUser(required(nonEmpty(v.user), '--user'), '--user'),
              exclude: v.exclude === undefined ? [] : required(checkExclude(v.exclude), '--exclude'),
            }
          : { kind: 'mentions', ...parseUser(required(nonEmpty(v.mentions), '--mentions'), '--mentions') };
    const name = v.stream === undefined ? undefined : required(nonEmpty(v.stream), '--stream');
    return [buildStreamSpec({ name, source }, defaults)];
  }
  const flagged = { initial: v.initial !== undefined, overlap: v.overlap !== undefined };
  const all = file.streams.map((entry) => buildStreamSpec(entryDraft(entry, flagged), defaults));
  assertUniqueNames(all, (i) => `streams[${i}].name`);
  if (v.stream === undefined) return all;
  const chosen = all.filter((s) => s.name === v.stream);
  if (chosen.length === 0) {
    const names = all.map((s) => s.name).join(', ');
    throw new ConfigError(
      `invalid --stream: no stream named "${v.stream}" in ${v.config} (have: ${names})`,
      '--stream',
    );
  }
  return chosen;
}

function nonEmpty(raw: string | undefined) {
  const value = raw?.trim() ?? '';
  return value === ''
    ? ({ ok: false, reason: 'must not be empty' } as const)
    : ({ ok: true, value } as const);
}

type StatusValues = ReturnType<typeof parse<typeof STATUS_OPTIONS>>;

async function parseStatus(v: StatusValues, env: Env): Promise<StatusConfig> {
  const file = v.config === undefined ? undefined : await loadConfigFile(v.config);
  return {
    command: 'status',
    store: resolveStore(v.store, file?.store, env),
    json: v.json ?? false,
    dynamodbLayout: layoutOf(v, file),
    ...(file?.price_per_post_usd === undefined ? {} : { pricePerPostUsd: file.price_per_post_usd }),
  };
}

type MigrateValues = ReturnType<typeof parse<typeof MIGRATE_OPTIONS>>;

async function parseMigrate(v: MigrateValues, _env: Env): Promise<MigrateConfig> {
  const file = v.config === undefined ? undefined : await loadConfigFile(v.config);
  const raw = v.store ?? file?.store;
  const setting = v.store === undefined && file?.store ? 'store' : '--store';
  if (raw === undefined) {
    throw new ConfigError('invalid --store: migrate needs --store dynamodb:<table>', '--store');
  }
  const store = parseStoreLocation(raw, setting);
  if (store.kind !== 'dynamodb') {
    throw new ConfigError(
      `invalid ${setting}: migrate adopts a DynamoDB table (dynamodb:<table>), not ${store.kind}`,
      setting,
    );
  }
  return {
    command: 'migrate',
    store,
    dynamodbLayout: layoutOf(v, file),
    apply: v.apply ?? false,
    skipCorrupt: v['skip-corrupt'] ?? false,
    json: v.json ?? false,
  };
}

/** `--store`, else the config file's `store`, else the default SQLite file (defaultStorePath). */
function resolveStore(flag: string | undefined, fileValue: string | undefined, env: Env): StoreLocation {
  if (flag !== undefined) return parseStoreLocation(flag, '--store');
  if (fileValue !== undefined) return parseStoreLocation(fileValue, 'store');
  return defaultStore(env);
}

/**
 * The progress line: only when asked for by nothing saying otherwise. Off with --quiet, TERM=dumb or
 * CI set (any value but empty, `0` or `false`); the caller also needs stderr to be a terminal.
 */
function progressWanted(quiet: boolean, env: Env): boolean {
  if (quiet || env.TERM === 'dumb') return false;
  const ci = env.CI?.trim().toLowerCase();
  return ci === undefined || ci === '' || ci === '0' || ci === 'false';
}

type ReportValues = ReturnType<typeof parse<typeof REPORT_OPTIONS>>;

async function parseReport(v: ReportValues, env: Env): Promise<ReportConfig> {
  const file = v.config === undefined ? undefined : await loadConfigFile(v.config);
  const store = resolveStore(v.store, file?.store, env);
  const sinceMs = required(checkPeriod(v.since ?? DEFAULTS.reportSince), '--since');
  const out = required(nonEmpty(v.out ?? DEFAULTS.reportOut), '--out');
  return { command: 'report', store, sinceMs, out, dynamodbLayout: layoutOf(v, file) };
}

type PlanValues = ReturnType<typeof parse<typeof PLAN_OPTIONS>>;

/** `plan --config f --queue <url> [--fanout sqs] [--shard-size n]`: the worker budget bounds the shard. */
async function parsePlan(v: PlanValues): Promise<PlanConfig> {
  if (v.config === undefined)
    throw new ConfigError('invalid --config: plan needs the streams file', '--config');
  const file = await loadConfigFile(v.config);
  const minIntervalMs =
    v['min-interval'] === undefined
      ? (file.min_interval_ms ?? DEFAULTS.minIntervalMs)
      : required(checkInteger(v['min-interval'], 0), '--min-interval');
  const timeBudgetSeconds =
    v['time-budget'] === undefined
      ? (file.time_budget_seconds ?? DEFAULTS.timeBudgetMs / 1000)
      : required(checkInteger(v['time-budget'], 1), '--time-budget');
  const fanout = parseFanout(
    { mode: v.fanout ?? 'sqs', shardSize: v['shard-size'] },
    { mode: '--fanout', shardSize: '--shard-size' },
    { timeBudgetMs: timeBudgetSeconds * 1000, minIntervalMs },
  );
  if (fanout.mode !== 'sqs') {
    throw new ConfigError(
      'invalid --fanout: plan sends shards to a queue (sqs); in single mode one poll runs every stream',
      '--fanout',
    );
  }
  const queueUrl = v.queue?.trim() ?? '';
  if (!/^https?:\/\/\S+$/.test(queueUrl)) {
    throw new ConfigError(
      'invalid --queue: must be the shard queue URL (https://sqs.<region>.amazonaws.com/...)',
      '--queue',
    );
  }
  const defaults: StreamDefaults = {
    initial: file.initial ?? BUILT_IN_STREAM_DEFAULTS.initial,
    overlapSeconds: file.overlap_seconds ?? BUILT_IN_STREAM_DEFAULTS.overlapSeconds,
  };
  const streams = file.streams.map((entry) =>
    buildStreamSpec({ name: entry.name, source: entrySource(entry) }, defaults),
  );
  assertUniqueNames(streams, (i) => `streams[${i}].name`);
  const store = parseStoreLocation(
    v.store ?? file.store ?? DEFAULTS.store,
    v.store === undefined && file.store ? 'store' : '--store',
  );
  return { command: 'plan', streams, store, dynamodbLayout: layoutOf({}, file), queueUrl, fanout };
}

/**
 * Reads --config's file through a dynamic import: file.ts loads yaml and zod, ~0.2 s of CPU that a
 * run without --config never needs (bench/README.md, "Drain profile ... round 2").
 */
async function loadConfigFile(path: string): Promise<ConfigFile> {
  return (await import('./file.js')).loadConfigFile(path);
}
