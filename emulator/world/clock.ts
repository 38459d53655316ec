/** The emulator's notion of "now": real time plus an offset, or a frozen instant tests move by hand. */
export class EmulatorClock {
  private offset = 0;
  private frozenAt: number | undefined;

  /**
   * @param start initial "now", epoch ms. @default Date.now()
   * @param frozen when true, time only moves through {@link advance} and {@link set}. @default false
   */
  constructor(
    private readonly start?: number,
    private readonly frozen = false,
  ) {
    this.reset();
  }

  /** Current emulated time, epoch ms. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  /** Moves "now" forward (or back, with a negative value) by `ms`; returns the new now. */
  advance(ms: number): number {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offset += ms;
    return this.now();
  }

  /** Sets "now" to `ms` (epoch ms); returns it. */
  set(ms: number): number {
    if (this.frozenAt !== undefined) this.frozenAt = ms;
    else this.offset = ms - Date.now();
    return this.now();
  }

  /** Back to the initial time (and offset). */
  reset(): void {
    this.offset = this.start === undefined ? 0 : this.start - Date.now();
    this.frozenAt = this.frozen ? (this.start ?? Date.now()) : undefined;
  }
}
