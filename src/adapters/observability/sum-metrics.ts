import type { MetricNameValue, Metrics } from '../../core/ports/observability.js';

/**
 * The CLI's Metrics: sums every value per metric name for the life of the process. Its totals go
 * into the `execution_end` line; nothing is published anywhere else.
 */
export class SumMetrics implements Metrics {
  readonly #totals = new Map<MetricNameValue, number>();

  /** `alwaysReport`: metrics present in `totals()` as 0 before anything is added. @default [] */
  constructor(options: { readonly alwaysReport?: readonly MetricNameValue[] } = {}) {
    for (const name of options.alwaysReport ?? []) this.#totals.set(name, 0);
  }

  add(name: MetricNameValue, value: number): void {
    this.#totals.set(name, (this.#totals.get(name) ?? 0) + value);
  }

  flush(): void {}

  /** The sum of one metric (0 when never added). */
  total(name: MetricNameValue): number {
    return this.#totals.get(name) ?? 0;
  }

  /** Every metric added so far, as `{ TweetsProcessed: 12, ... }`. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.#totals);
  }
}
