/**
 * Metrics port on Powertools Metrics: CloudWatch Embedded Metric Format lines on stdout, namespace
 * `TwitterPoller`, dimension `service`. `flush` publishes what was added since the last flush.
 */
import { MetricUnit, Metrics as PtMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricNameValue, Metrics, MetricUnit as PortUnit } from '../../core/ports/observability.js';
import { SERVICE_NAME } from './powertools-logger.js';

/** CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'TwitterPoller';

const UNITS = {
  Count: MetricUnit.Count,
  Seconds: MetricUnit.Seconds,
  Milliseconds: MetricUnit.Milliseconds,
  None: MetricUnit.NoUnit,
} as const satisfies Record<PortUnit, (typeof MetricUnit)[keyof typeof MetricUnit]>;

export interface PowertoolsMetricsOptions {
  /** @default a new Powertools Metrics with namespace 'TwitterPoller' and serviceName 'twitter-poller' */
  readonly metrics?: PtMetrics;
}

export class PowertoolsMetrics implements Metrics {
  readonly powertools: PtMetrics;
  #pending = 0;

  constructor(options: PowertoolsMetricsOptions = {}) {
    this.powertools =
      options.metrics ?? new PtMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  }

  add(name: MetricNameValue, value: number, unit: PortUnit = 'Count'): void {
    this.powertools.addMetric(name, UNITS[unit], value);
    this.#pending += 1;
  }

  flush(): void {
    // Powertools warns on an empty flush; there is nothing to publish then.
    if (this.#pending === 0) return;
    this.#pending = 0;
    this.powertools.publishStoredMetrics();
  }
}
