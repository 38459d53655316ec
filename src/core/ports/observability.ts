/** Structured logging and metrics ports. Adapters: JSON lines on stderr (CLI), Powertools (Lambda). */

/** The events every execution emits; keys are stable snake_case. */
export const LogEvent = {
  executionStart: 'execution_start',
  executionEnd: 'execution_end',
  apiCall: 'api_call',
  rateLimitEncounter: 'rate_limit_encounter',
  checkpointUpdate: 'checkpoint_update',
  batch: 'batch',
  error: 'error',
  gap: 'gap',
  streamSkipped: 'stream_skipped',
  retry: 'retry',
  creditsDepleted: 'credits_depleted',
  creditsProbe: 'credits_probe',
  creditsRestored: 'credits_restored',
  freshness: 'freshness',
} as const;
export type LogEventName = (typeof LogEvent)[keyof typeof LogEvent] | (string & {});

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  /** One event, one JSON line. `fields` never include credentials. */
  log(level: LogLevel, event: LogEventName, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (e.g. `stream`). */
  child(fields: LogFields): Logger;
}

/** Metric names published by every execution. */
export const MetricName = {
  tweetsProcessed: 'TweetsProcessed',
  errorsEncountered: 'ErrorsEncountered',
  rateLimitWaits: 'RateLimitWaits',
  executionDurationSeconds: 'ExecutionDurationSeconds',
  apiRequests: 'ApiRequests',
  batchesDelivered: 'BatchesDelivered',
  gapSeconds: 'GapSeconds',
  usageCapped: 'UsageCapped',
  /** 1 when the run met a 402 CreditsDepleted. */
  creditsDepleted: 'CreditsDepleted',
  /** Estimated USD of the posts billed by the run (posts_billed x price per post). */
  spendUsd: 'SpendUsd',
  freshnessLagSeconds: 'FreshnessLagSeconds',
  /** Posts a sink refused for good and set aside (the SQS sink's dead-letter queue). */
  deadLetteredPosts: 'DeadLetteredPosts',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];

/**
 * Published by every invocation, 0 included, so alarms and dashboards never see missing data for
 * them. ErrorsEncountered counts every error event (each failed request, retried ones included,
 * except a 429 of the rate-limit window, which is a RateLimitWait; each failed sink attempt; each
 * failed stream; a failed setup), so ErrorsEncountered / ApiRequests is the error rate.
 */
export const INVOCATION_METRICS = [
  MetricName.tweetsProcessed,
  MetricName.errorsEncountered,
  MetricName.rateLimitWaits,
  MetricName.executionDurationSeconds,
  MetricName.apiRequests,
] as const satisfies readonly MetricNameValue[];
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

export interface Metrics {
  add(name: MetricNameValue, value: number, unit?: MetricUnit): void;
  /** Publishes what was added since the last flush. */
  flush(): Promise<void> | void;
  /**
   * The sum of every metric so far, when the adapter keeps them (the CLI's); `execution_end` then
   * carries them as `metrics`. @default absent: metrics are published elsewhere (EMF)
   */
  totals?(): Readonly<Record<string, number>>;
}
