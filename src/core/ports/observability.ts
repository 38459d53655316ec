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
  freshnessLagSeconds: 'FreshnessLagSeconds',
  /** Posts a sink refused for good and set aside (the SQS sink's dead-letter queue). */
  deadLetteredPosts: 'DeadLetteredPosts',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export interface Metrics {
  add(name: MetricNameValue, value: number, unit?: MetricUnit): void;
  /** Publishes what was added since the last flush. */
  flush(): Promise<void> | void;
}
