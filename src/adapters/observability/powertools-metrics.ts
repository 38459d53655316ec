/**
 * Metrics port on Powertools Metrics: CloudWatch Embedded Metric Format lines on stdout, namespace
 * `TwitterPoller`, dimension `service`. `flush` publishes what was added since the last flush.
 */
import { MetricUnit, Metrics as PtMetrics } from '@aws-lambda-powertools/metrics';
import {
  MetricName,
  type MetricNameValue,
  type Metrics,
  type MetricUnit as PortUnit,
} from '../../core/ports/observability.js';
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
  /**
   * Metrics published at every flush, as 0 when nothing was added since the last one (alarms and
   * dashboards then never see missing data). @default [] (a flush with nothing added prints nothing)
   */
  readonly alwaysEmit?: readonly MetricNameValue[];
}

export class PowertoolsMetrics implements Metrics {
  readonly powertools: PtMetrics;
  readonly #alwaysEmit: readonly MetricNameValue[];
  readonly #added = new Set<MetricNameValue>();
  #pending = 0;

  constructor(options: PowertoolsMetricsOptions = {}) {
    this.powertools =
      options.metrics ?? new PtMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    this.#alwaysEmit = options.alwaysEmit ?? [];
  }

  add(name: MetricNameValue, value: number, unit: PortUnit = 'Count'): void {
    this.powertools.addMetric(name, UNITS[unit], value);
    this.#added.add(name);
    this.#pending += 1;
  }

  flush(): void {
    for (const name of this.#alwaysEmit) {
      if (!this.#added.has(name))
        this.add(name, 0, name === MetricName.executionDurationSeconds ? 'Seconds' : 'Count');
    }
    this.#added.clear();
    // Powertools warns on an empty flush; there is nothing to publish then.
    if (this.#pending === 0) return;
    this.#pending = 0;
    this.powertools.publishStoredMetrics();
  }
}
