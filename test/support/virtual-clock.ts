/**
 * A Clock for simulations of several concurrent actors: `sleep` parks the caller; `run` lets every
 * actor go as far as it can (all pending promise work settles), then moves time to the earliest
 * wake-up and wakes it, until every actor has finished. Nothing really sleeps; time is virtual.
 */
import type { Clock } from '../../src/core/ports/clock.js';

interface Sleeper {
  readonly wakeMs: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #sleepers: Sleeper[] = [];

  constructor(startMs = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => {
      this.#sleepers.push({ wakeMs: this.#now + Math.max(0, ms), seq: this.#seq++, resolve });
    });
  }

  /** Runs `actors` to completion in virtual time (bounded by `maxSteps` wake-ups). */
  async run<T>(actors: readonly Promise<T>[], maxSteps = 1_000_000): Promise<T[]> {
    let done = false;
    const all = Promise.all(actors).finally(() => {
      done = true;
    });
    all.catch(() => {});
    for (let step = 0; step < maxSteps; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      if (this.#sleepers.length === 0) continue;
      this.#sleepers.sort((a, b) => a.wakeMs - b.wakeMs || a.seq - b.seq);
      const next = this.#sleepers.shift()!;
      this.#now = Math.max(this.#now, next.wakeMs);
      next.resolve();
    }
    return all;
  }
}
