/** A Clock for tests: sleep advances virtual time at once and records the wait; nothing really sleeps. */
import type { Clock } from '../../src/core/ports/clock.js';

export class ManualClock implements Clock {
  /** Every sleep requested, in order. */
  readonly sleeps: number[] = [];
  #now: number;

  constructor(startMs = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.#now += Math.max(0, ms);
  }

  /** Sum of all sleeps so far. */
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }
}
