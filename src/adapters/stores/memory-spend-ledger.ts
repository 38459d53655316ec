/** In-memory SpendLedger: the reference backend of the ledger contract suite and of unit tests. */
import type {
  RecordedRead,
  SpendLedger,
  SpendTotals,
  StreamDaySpend,
} from '../../core/ports/spend-ledger.js';
import { billPage, monthOf } from '../../core/spend.js';

/** SpendLedger in Maps; same semantics as the durable ledgers. */
export class MemorySpendLedger implements SpendLedger {
  /** Posts billed per `day` and stream. */
  readonly #days = new Map<string, Map<string, number>>();
  readonly #reads = new Map<string, { day: string; ids: string[] }>();
  #flag: string | null = null;

  async recordRead(stream: string, ids: readonly string[], day: string): Promise<RecordedRead> {
    const reads = this.#reads.get(stream);
    const { billed, remembered } = billPage(reads?.day === day ? reads.ids : [], ids);
    this.#reads.set(stream, { day, ids: remembered });
    const streams = this.#days.get(day) ?? new Map<string, number>();
    streams.set(stream, (streams.get(stream) ?? 0) + billed);
    this.#days.set(day, streams);
    return { billed, ...(await this.totals(day)) };
  }

  async totals(day: string): Promise<SpendTotals> {
    let dayPosts = 0;
    let monthPosts = 0;
    for (const [d, streams] of this.#days) {
      const sum = [...streams.values()].reduce((a, b) => a + b, 0);
      if (d === day) dayPosts += sum;
      if (monthOf(d) === monthOf(day)) monthPosts += sum;
    }
    return { dayPosts, monthPosts };
  }

  async streamsOnDay(day: string): Promise<StreamDaySpend[]> {
    return [...(this.#days.get(day) ?? new Map<string, number>())]
      .map(([stream, posts]) => ({ stream, posts }))
      .sort((a, b) => a.stream.localeCompare(b.stream));
  }

  async creditsDepletedAt(): Promise<string | null> {
    return this.#flag;
  }

  async setCreditsDepleted(at: string | null): Promise<void> {
    this.#flag = at;
  }

  async close(): Promise<void> {}
}
