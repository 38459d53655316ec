/** In-memory RateBudgetStore: the reference backend of the contract suite and unit tests. */
import type { BudgetState, RateBudgetStore, VersionedBudget } from '../../core/ports/rate-budget.js';

/** Budget records in a Map, versioned like the durable stores. */
export class MemoryRateBudgetStore implements RateBudgetStore {
  readonly #records = new Map<string, { state: BudgetState; version: number }>();

  async read(key: string): Promise<VersionedBudget> {
    const record = this.#records.get(key);
    return record === undefined ? { state: null, version: 0 } : structuredClone(record);
  }

  async write(state: BudgetState, version: number): Promise<boolean> {
    if ((this.#records.get(state.key)?.version ?? 0) !== version) return false;
    this.#records.set(state.key, { state: structuredClone(state), version: version + 1 });
    return true;
  }

  async list(): Promise<BudgetState[]> {
    return [...this.#records.values()]
      .map((r) => structuredClone(r.state))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async close(): Promise<void> {}
}
