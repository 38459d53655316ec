import type { ProxySettings } from '../adapters/x-api/proxy.js';
import type { LogLevel } from '../core/ports/observability.js';
import type { RunOptions } from '../core/run-types.js';
import type { StreamSpec } from '../core/stream.js';
import type { CheckpointLayout, InvocationType, PayloadFormat } from './adoption.js';
import type { RateBudgetMode } from './values.js';

/** Where checkpoints live, from `--store <scheme>:<target>`. */
export type StoreLocation =
  | {
      readonly kind: 'sqlite';
      readonly path: string;
      /** Set when no setting named the store: the per-user default, or the old `./.twitter-poller/state.db` found in place. @default absent (named by a setting) */
      readonly origin?: 'default' | 'legacy-default';
    }
  | { readonly kind: 'memory' }
  | { readonly kind: 'dynamodb'; readonly table: string };

/** Where posts go, from `--sink <scheme>:<target>`. */
export type SinkLocation =
  | { readonly kind: 'jsonl'; readonly path: string }
  | { readonly kind: 'stdout' }
  | { readonly kind: 'lambda'; readonly functionName: string }
  | { readonly kind: 'sqs'; readonly queueUrl: string };

/** A validated `twitter-poller poll`. */
export interface PollConfig {
  readonly command: 'poll';
  readonly streams: readonly StreamSpec[];
  readonly run: RunOptions;
  readonly store: StoreLocation;
  readonly sink: SinkLocation;
  /** @default 'https://api.x.com' */
  readonly apiBaseUrl: string;
  /** From X_BEARER_TOKEN; never logged. */
  readonly bearerToken: string;
  /** Delete the selected streams' checkpoints before polling. @default false */
  readonly resetCheckpoint: boolean;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** Key and legacy since_id attributes of a dynamodb store. @default stream, since_id */
  readonly dynamodbLayout?: CheckpointLayout;
  /** Payload shape of a lambda sink. @default 'envelope' */
  readonly payloadFormat?: PayloadFormat;
  /** Invoke type of a lambda sink. @default 'Event' */
  readonly invocationType?: InvocationType;
  /** Streams with a request in flight at once in this process (RunOptions.concurrency). @default 2 */
  readonly concurrency: number;
  /** `shared`: the app-wide budget in the store; `local`: this process paces alone. @default 'shared' */
  readonly rateBudget: RateBudgetMode;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY. @default {} (direct) */
  readonly proxy?: ProxySettings;
  /** The progress line, when stderr is a terminal: false with --quiet, TERM=dumb or CI. @default true */
  readonly progress?: boolean;
}

/** A validated `twitter-poller init`. */
export interface InitConfig {
  readonly command: 'init';
  /** The file to write. @default 'streams.yaml' */
  readonly path: string;
  /** Overwrite an existing file. @default false */
  readonly force: boolean;
}

/** A validated `twitter-poller status`. */
export interface StatusConfig {
  readonly command: 'status';
  readonly store: StoreLocation;
  /** @default stream, since_id */
  readonly dynamodbLayout?: CheckpointLayout;
  /** JSON output even on a TTY. @default false (table on a TTY, JSON otherwise) */
  readonly json: boolean;
  /** For the spend figures: `price_per_post_usd` of the config file. @default 0.005 */
  readonly pricePerPostUsd?: number;
}

/** A validated `twitter-poller migrate`. */
export interface MigrateConfig {
  readonly command: 'migrate';
  /** Always a dynamodb store. */
  readonly store: Extract<StoreLocation, { kind: 'dynamodb' }>;
  readonly dynamodbLayout: CheckpointLayout;
  /** Adopt the items; otherwise only list the plan. @default false (dry run) */
  readonly apply: boolean;
  /** Exit 0 despite corrupt items (they are left alone). @default false (exit 2) */
  readonly skipCorrupt: boolean;
  /** JSON lines instead of a table. @default false on a TTY, true otherwise */
  readonly json: boolean;
}

/** A validated `twitter-poller plan`: one fan-out wave of the config's streams onto an SQS queue. */
export interface PlanConfig {
  readonly command: 'plan';
  readonly streams: readonly StreamSpec[];
  readonly store: StoreLocation;
  /** The config file's dynamodb_key / legacy_since_id_attribute. @default stream, since_id */
  readonly dynamodbLayout?: CheckpointLayout;
  /** The shard queue's URL (`--queue`). */
  readonly queueUrl: string;
  readonly fanout: import('./fanout.js').FanoutConfig;
}

/** A validated `twitter-poller report`. */
export interface ReportConfig {
  readonly command: 'report';
  readonly store: StoreLocation;
  /** The period the report covers, back from now, in ms. @default 30 days (`--since 30d`) */
  readonly sinceMs: number;
  /** The HTML file written. @default 'report.html' */
  readonly out: string;
  /** DynamoDB: the table's key attribute, where the history items are (`--dynamodb-key`). @default stream */
  readonly dynamodbLayout?: CheckpointLayout;
}

/** Every command line the CLI understands, validated. */
export type CliCommand =
  | PollConfig
  | StatusConfig
  | MigrateConfig
  | PlanConfig
  | ReportConfig
  | InitConfig
  | {
      readonly command: 'help';
      readonly topic: 'main' | 'poll' | 'status' | 'migrate' | 'init' | 'report' | 'plan';
    }
  | { readonly command: 'version' };
