/**
 * Fan-out settings (`plan`/`work` flags, FANOUT_* Lambda variables), validated once: a bad value is
 * a ConfigError naming the setting (the CLI exits 2; the Lambda fails at cold start).
 */
import { ConfigError } from '../core/errors.js';
import { maxShardSize } from '../core/fleet.js';
import { DEFAULTS, LAMBDA_MAX_DURATION_MS } from './defaults.js';

/** `single`: one function polls every stream (the default); `sqs`: a planner fans shards out over SQS. */
export type FanoutMode = 'single' | 'sqs';
export const FANOUT_MODES: readonly FanoutMode[] = ['single', 'sqs'];

/** Validated fan-out settings. */
export interface FanoutConfig {
  readonly mode: FanoutMode;
  /** Streams per shard message. @default 25 */
  readonly shardSize: number;
}

/** Names of the settings, as the operator wrote them (flags or environment variables). */
export interface FanoutSettingNames {
  readonly mode: string;
  readonly shardSize: string;
}

/** Validates the mode and the shard size against what one worker invocation can serve. */
export function parseFanout(
  raw: { readonly mode?: string | undefined; readonly shardSize?: string | undefined },
  names: FanoutSettingNames,
  worker: { readonly timeBudgetMs: number; readonly minIntervalMs: number },
): FanoutConfig {
  const mode = (raw.mode ?? DEFAULTS.fanoutMode).trim();
  if (!FANOUT_MODES.includes(mode as FanoutMode)) {
    throw new ConfigError(
      `invalid ${names.mode}: unknown fan-out mode "${mode}" (expected ${FANOUT_MODES.join(' or ')})`,
      names.mode,
    );
  }
  const max = maxShardSize(worker.timeBudgetMs, worker.minIntervalMs);
  let shardSize: number = DEFAULTS.shardSize;
  if (raw.shardSize !== undefined) {
    const n = Number(raw.shardSize.trim());
    if (raw.shardSize.trim() === '' || !Number.isInteger(n) || n < 1 || n > max) {
      throw new ConfigError(
        `invalid ${names.shardSize}: must be an integer from 1 to ${max} (every stream costs a worker at least one request: ${Math.round(worker.timeBudgetMs / 1000)} s at one request per ${worker.minIntervalMs} ms), got "${raw.shardSize}"`,
        names.shardSize,
      );
    }
    shardSize = n;
  }
  return { mode: mode as FanoutMode, shardSize: Math.min(shardSize, max) };
}

/** The fan-out Lambda variables: FANOUT_MODE, FANOUT_SHARD_SIZE, FANOUT_QUEUE_URL (the planner's). */
export interface FanoutEnv extends FanoutConfig {
  /** FANOUT_QUEUE_URL: where the planner sends shards (the workers' event source reads it). */
  readonly queueUrl: string | undefined;
}

/** Reads the FANOUT_* variables; a worker's budget is 15 minutes less `stopBeforeTimeoutMs` (SAFETY_MARGIN_MS). */
export function readFanoutEnv(
  env: Readonly<Record<string, string | undefined>>,
  worker: { readonly stopBeforeTimeoutMs: number; readonly minIntervalMs: number },
): FanoutEnv {
  const config = parseFanout(
    { mode: env.FANOUT_MODE?.trim() || undefined, shardSize: env.FANOUT_SHARD_SIZE?.trim() || undefined },
    { mode: 'FANOUT_MODE', shardSize: 'FANOUT_SHARD_SIZE' },
    {
      timeBudgetMs: LAMBDA_MAX_DURATION_MS - worker.stopBeforeTimeoutMs,
      minIntervalMs: worker.minIntervalMs,
    },
  );
  const queueUrl = env.FANOUT_QUEUE_URL?.trim() || undefined;
  if (queueUrl !== undefined && !/^https?:\/\/\S+$/.test(queueUrl)) {
    throw new ConfigError('invalid FANOUT_QUEUE_URL: must be an SQS queue URL', 'FANOUT_QUEUE_URL');
  }
  return { ...config, queueUrl };
}
