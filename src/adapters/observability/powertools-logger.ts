/**
 * Logger port on Powertools Logger (Lambda): one JSON object per line with Powertools' standard keys
 * (level, message, timestamp, service, cold_start, function_request_id, ...). `message` is the event
 * name and `event` repeats it, so CLI and Lambda lines can be queried the same way. Fields pass through
 * the same redaction as the CLI's JSON logger, a safety net for the bearer token.
 */
import { Logger as PtLogger } from '@aws-lambda-powertools/logger';
import type { LogEventName, LogFields, Logger, LogLevel } from '../../core/ports/observability.js';
import { redact } from './json-logger.js';
import type { LambdaContext } from './lambda-context.js';

/** The service name on every log line and metric. */
export const SERVICE_NAME = 'twitter-poller';

export interface PowertoolsLoggerOptions {
  /** @default a new Powertools Logger with serviceName 'twitter-poller' and the level of POWERTOOLS_LOG_LEVEL / LOG_LEVEL (else INFO) */
  readonly logger?: PtLogger;
  /** Strings never printed (the bearer token). @default [] */
  readonly secrets?: readonly string[];
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === 'function' ? json.call(value) : { name: value.name, message: value.message };
  }
  return value;
}

/** Plain JSON of `fields` with errors reduced to their toJSON and secrets redacted. */
function sanitize(fields: LogFields, secrets: readonly string[]): Record<string, unknown> {
  return JSON.parse(redact(JSON.stringify(fields, replacer), secrets)) as Record<string, unknown>;
}

export class PowertoolsLogger implements Logger {
  /** The underlying Powertools logger (for addContext, appendKeys). */
  readonly powertools: PtLogger;
  readonly #secrets: readonly string[];

  constructor(options: PowertoolsLoggerOptions = {}) {
    this.powertools = options.logger ?? new PtLogger({ serviceName: SERVICE_NAME });
    this.#secrets = options.secrets ?? [];
  }

  log(level: LogLevel, event: LogEventName, fields: LogFields = {}): void {
    this.powertools[level](event, { event, ...sanitize(fields, this.#secrets) });
  }

  child(fields: LogFields): PowertoolsLogger {
    const child = this.powertools.createChild();
    child.appendPersistentKeys(sanitize(fields, this.#secrets));
    return new PowertoolsLogger({ logger: child, secrets: this.#secrets });
  }

  /** Adds the Lambda context fields (function name, request id, cold start) to every line. */
  addContext(context: LambdaContext): void {
    this.powertools.addContext(context as Parameters<PtLogger['addContext']>[0]);
  }

  /** Adds `fields` to every later line of this logger (e.g. the execution's correlation_id). */
  appendKeys(fields: LogFields): void {
    this.powertools.appendPersistentKeys(sanitize(fields, this.#secrets));
  }

  /** Adds a secret to redact from now on (the token, once fetched). */
  withSecrets(secrets: readonly string[]): PowertoolsLogger {
    return new PowertoolsLogger({ logger: this.powertools, secrets: [...this.#secrets, ...secrets] });
  }
}
