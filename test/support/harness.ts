/** Ports for unit tests of runExecution: a recording logger, metrics and sink, and a builder for all of them. */

import { MemoryCheckpointStore } from '../../src/adapters/stores/memory.js';
import { DEFAULT_RUN_OPTIONS } from '../../src/config/defaults.js';
import type {
  LogFields,
  Logger,
  LogLevel,
  MetricNameValue,
  Metrics,
} from '../../src/core/ports/observability.js';
import type { Batch, Sink } from '../../src/core/ports/sink.js';
import type { RunDependencies, RunOptions } from '../../src/core/run-types.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { type FakeWindow, FakeXApi } from './fake-x-api.js';
import { ManualClock } from './manual-clock.js';

export interface LogLine {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: LogFields;
}

export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly base: LogFields = {},
  ) {}
  log(level: LogLevel, event: string, fields: LogFields = {}): void {
    this.lines.push({ level, event, fields: { ...this.base, ...fields } });
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.base, ...fields });
  }
  events(name: string): LogFields[] {
    return this.lines.filter((l) => l.event === name).map((l) => l.fields);
  }
}

export class RecordingMetrics implements Metrics {
  readonly values: { name: MetricNameValue; value: number }[] = [];
  add(name: MetricNameValue, value: number): void {
    this.values.push({ name, value });
  }
  flush(): void {}
  total(name: MetricNameValue): number {
    return this.values.filter((v) => v.name === name).reduce((a, v) => a + v.value, 0);
  }
}

/** A sink that keeps every batch; `failures` makes the next writes throw, `flushFailures` the next flushes. */
export class MemorySink implements Sink {
  readonly batches: Batch[] = [];
  readonly failures: Error[] = [];
  readonly flushFailures: Error[] = [];
  /** Every call in order: `write:<posts>` or `flush`. */
  readonly calls: string[] = [];
  /** Called after a write is acknowledged (to simulate a crash right after it). */
  afterWrite: ((batch: Batch) => void) | undefined;
  async write(batch: Batch): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.batches.push(batch);
    this.calls.push(`write:${batch.tweets.length}`);
    this.afterWrite?.(batch);
  }
  async flush(): Promise<void> {
    const failure = this.flushFailures.shift();
    if (failure !== undefined) throw failure;
    this.calls.push('flush');
  }
  async close(): Promise<void> {}
  get ids(): string[] {
    return this.batches.flatMap((b) => b.tweets.map((t) => t.id));
  }
}

export interface Harness {
  readonly clock: ManualClock;
  readonly api: FakeXApi;
  readonly store: MemoryCheckpointStore;
  readonly sink: MemorySink;
  readonly logger: RecordingLogger;
  readonly metrics: RecordingMetrics;
  readonly deps: RunDependencies;
}

export function harness(ids: readonly string[] = [], window?: FakeWindow): Harness {
  const clock = new ManualClock();
  const api = new FakeXApi(clock, ids, window);
  const store = new MemoryCheckpointStore();
  const sink = new MemorySink();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  return { clock, api, store, sink, logger, metrics, deps: { api, store, sink, clock, logger, metrics } };
}

/** Run options for tests: no minimum interval, a generous budget. */
export function testOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return { ...DEFAULT_RUN_OPTIONS, minIntervalMs: 0, correlationId: 'test-run', ...overrides };
}

export function searchStream(overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name: 'search-a',
    source: { kind: 'search', query: 'from:x', archive: false },
    tweetFields: ['created_at', 'author_id'],
    userFields: [],
    expansions: ['author_id'],
    initial: { kind: 'now' },
    overlapSeconds: 0,
    ...overrides,
  };
}

/** `count` ids created within the last minutes before `nowMs`, as strings, newest first. */
export function recentIds(nowMs: number, count: number, startOffsetMs = 60_000): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const ms = BigInt(nowMs - startOffsetMs + i * 100) - 1288834974657n;
    out.push(((ms << 22n) + BigInt(i % 4096)).toString());
  }
  return out.reverse();
}
