import type { LogEventName, LogFields, Logger, LogLevel } from '../core/ports/observability.js';
import { LogEvent } from '../core/ports/observability.js';

/** What the CLI learns from the events of a run, to choose its exit message. */
export interface RunObservation {
  /** The runner already printed `execution_end`: the CLI must not print a second one. */
  ended: boolean;
  /** `code` of every `error` event (e.g. `authentication`). */
  readonly errorCodes: Set<string>;
}

/**
 * A Logger decorator for the CLI: records what the runner reports and adds the process's metric
 * totals to the `execution_end` line.
 */
export class ObservedLogger implements Logger {
  constructor(
    private readonly inner: Logger,
    private readonly totals: () => Record<string, number>,
    /** Called after an `error` or `stream_skipped` event, so that a human line follows it (and precedes `execution_end`). */
    private readonly onNotice: (event: LogEventName, fields: LogFields) => void = () => undefined,
    readonly observation: RunObservation = { ended: false, errorCodes: new Set() },
  ) {}

  log(level: LogLevel, event: LogEventName, fields: LogFields = {}): void {
    if (event === LogEvent.error || event === LogEvent.streamSkipped || event === LogEvent.creditsDepleted) {
      if (event === LogEvent.error && typeof fields.code === 'string')
        this.observation.errorCodes.add(fields.code);
      this.inner.log(level, event, fields);
      this.onNotice(event, fields);
      return;
    }
    if (event === LogEvent.executionEnd) {
      this.observation.ended = true;
      this.inner.log(level, event, { ...fields, metrics: this.totals() });
      return;
    }
    this.inner.log(level, event, fields);
  }

  child(fields: LogFields): Logger {
    return new ObservedLogger(this.inner.child(fields), this.totals, this.onNotice, this.observation);
  }
}
