/**
 * The one table of defaults (issue 15): every setting's default value, written once. The CLI parser,
 * the config file, the Lambda environment, `--help` and docs/configuration.md read it; where each
 * is given (flag, config key, Lambda variable) and what it means is its other half, SETTINGS in
 * src/config/settings.ts, keyed the same (the compiler requires a row there for every default here),
 * and test/unit/defaults-table.test.ts keeps help and docs equal to both. Core holds no defaults of
 * its own: its callers pass these values in (DEFAULT_RUN_OPTIONS below).
 *
 * Names ending in `Ms` are durations in milliseconds. A value owned by a storage or wire format (the
 * DynamoDB layout, the Invoke payload limit) is that format's constant, named here. The values are
 * apart from the descriptions so that the Lambda bundle carries the few hundred bytes it reads only.
 */
import { DEFAULT_LAYOUT } from '../adapters/aws/checkpoint-layout.js';
import {
  DEFAULT_ASYNC_PAYLOAD_BYTES,
  INVOCATION_TYPES,
  PAYLOAD_FORMATS,
} from '../adapters/sinks/payload-format.js';
import type { RunOptions } from '../core/run-types.js';

/** Every default, by setting. */
export const DEFAULTS = {
  store: 'sqlite:$XDG_STATE_HOME/twitter-poller/state.db',
  sink: 'jsonl:-',
  apiBaseUrl: 'https://api.x.com',
  maxTweets: 1000,
  batchSize: 25,
  commitPages: 10,
  commitIntervalMs: 2_000,
  timeBudgetMs: 840_000,
  finalCommitReserveMs: 5_000,
  minIntervalMs: 1_000,
  pacingThreshold: 0.8,
  retryBaseMs: 1_000,
  retryMaxMs: 300_000,
  retryAttempts: 5,
  leaseTtlMs: 60_000,
  initial: 'now',
  overlapMs: 0,
  weight: 1,
  logLevel: 'info',
  pricePerPostUsd: 0.005,
  concurrency: 2,
  rateBudget: 'shared',
  dynamodbKey: DEFAULT_LAYOUT.keyAttribute,
  legacySinceIdAttribute: DEFAULT_LAYOUT.legacySinceIdAttribute,
  payloadFormat: PAYLOAD_FORMATS[0],
  invocationType: INVOCATION_TYPES[0],
  reportSince: '30d',
  reportOut: 'report.html',
  shardSize: 25,
  fanoutMode: 'single',
  stopBeforeTimeoutMs: 60_000,
  parameterMaxAgeMs: 300_000,
  payloadLimitBytes: DEFAULT_ASYNC_PAYLOAD_BYTES,
  responseTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
} as const;

/** A setting's name. */
export type SettingName = keyof typeof DEFAULTS;

/** The longest a Lambda invocation may run (the function's 15-minute timeout): not a setting, AWS's limit. */
export const LAMBDA_MAX_DURATION_MS = 900_000;

/** The run options of every entrypoint before its settings are applied. */
export const DEFAULT_RUN_OPTIONS: RunOptions = {
  maxTweets: DEFAULTS.maxTweets,
  timeBudgetMs: DEFAULTS.timeBudgetMs,
  finalCommitReserveMs: DEFAULTS.finalCommitReserveMs,
  batchSize: DEFAULTS.batchSize,
  commitPages: DEFAULTS.commitPages,
  commitIntervalMs: DEFAULTS.commitIntervalMs,
  minIntervalMs: DEFAULTS.minIntervalMs,
  pacingThreshold: DEFAULTS.pacingThreshold,
  retry: {
    baseDelayMs: DEFAULTS.retryBaseMs,
    maxDelayMs: DEFAULTS.retryMaxMs,
    maxAttempts: DEFAULTS.retryAttempts,
  },
  leaseTtlMs: DEFAULTS.leaseTtlMs,
  concurrency: DEFAULTS.concurrency,
  spend: { pricePerPostUsd: DEFAULTS.pricePerPostUsd },
};
