/**
 * Runs a sink's writes one after another in call order, even when the caller does not await each
 * one, and refuses writes after close. A failed write does not block the ones queued behind it.
 */
import { SinkError } from '../../core/errors.js';

export class SerialWrites {
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(readonly sinkName: string) {}

  /** Queues `deliver`; rejects at once when the sink is closed. */
  run(deliver: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new SinkError(`${this.sinkName} sink is closed`, false));
    const next = this.#tail.then(deliver);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Refuses new writes and waits for the queued ones. Returns false when already closed. */
  async close(): Promise<boolean> {
    if (this.#closed) return false;
    this.#closed = true;
    await this.#tail;
    return true;
  }
}
