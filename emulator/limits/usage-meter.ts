/** Options of {@link UsageMeter}. */
export interface UsageMeterOptions {
  /** Posts readable per month before the usage-capped 429. @default 10_000_000 */
  readonly cap: number;
}

/** Counts posts served (the billed "post reads") per UTC month and day. */
export class UsageMeter {
  private monthStart = Number.POSITIVE_INFINITY;
  private monthEnd = Number.NEGATIVE_INFINITY;
  private used = 0;
  private readonly daily = new Map<string, number>();

  constructor(public options: UsageMeterOptions) {}

  private roll(now: number): void {
    if (now >= this.monthStart && now < this.monthEnd) return;
    const d = new Date(now);
    this.monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    this.monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    this.used = 0;
  }

  /** True when the monthly cap is reached. */
  capped(now: number): boolean {
    this.roll(now);
    return this.used >= this.options.cap;
  }

  /** Records `posts` reads at `now`. */
  record(posts: number, now: number): void {
    if (posts === 0) return;
    this.roll(now);
    this.used += posts;
    const day = `${new Date(now).toISOString().slice(0, 10)}T00:00:00.000Z`;
    this.daily.set(day, (this.daily.get(day) ?? 0) + posts);
  }

  /** Posts read this month. */
  monthUsage(now: number): number {
    this.roll(now);
    return this.used;
  }

  /** Daily usage of the last `days` days, oldest first (days without reads report 0). */
  dailyUsage(now: number, days: number): { date: string; usage: number }[] {
    const out: { date: string; usage: number }[] = [];
    const today = Date.UTC(
      new Date(now).getUTCFullYear(),
      new Date(now).getUTCMonth(),
      new Date(now).getUTCDate(),
    );
    for (let d = days - 1; d >= 0; d--) {
      const date = new Date(today - d * 86_400_000).toISOString();
      out.push({ date, usage: this.daily.get(date) ?? 0 });
    }
    return out;
  }

  /** Days until the monthly cap resets (first of next UTC month). */
  capResetDay(now: number): number {
    const d = new Date(now);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    return Math.max(1, Math.ceil((next - now) / 86_400_000));
  }

  /** Forgets all usage. */
  reset(): void {
    this.monthStart = Number.POSITIVE_INFINITY;
    this.monthEnd = Number.NEGATIVE_INFINITY;
    this.used = 0;
    this.daily.clear();
  }
}
