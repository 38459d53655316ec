import type { EmulatorController } from './controller.js';

const TICK_MS = 100;
const MAX_PER_TICK = 1000;

/** Publishes `rate` generated posts per second while the emulator runs (timer unref'd, stopped on close). */
export class LivePublisher {
  private timer: NodeJS.Timeout | undefined;
  private owed = 0;

  constructor(
    private readonly controller: EmulatorController,
    /** Posts per second. @default 0 (off) */
    private readonly rate: number,
  ) {}

  /** Starts the timer (no-op when rate is 0). */
  start(): void {
    if (this.rate <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    this.owed += (this.rate * TICK_MS) / 1000;
    const count = Math.min(Math.floor(this.owed), MAX_PER_TICK);
    this.owed -= count;
    if (count > 0) this.controller.publish({ count });
  }

  /** Stops publishing. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
