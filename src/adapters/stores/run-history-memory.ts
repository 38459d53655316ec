/** The run history in memory (tests, `--store memory`): the reference backend of the contract suite. */
import type { RunHistoryQuery, RunHistoryStore, RunRecord } from '../../core/ports/run-history.js';
import { selectRuns } from './run-history-query.js';

export interface MemoryRunHistoryOptions {
  /** Runs kept; older ones are dropped first. @default 10000 */
  readonly maxRuns?: number;
}

/** RunHistoryStore on an array, bounded like the SQLite one. */
export class MemoryRunHistory implements RunHistoryStore {
  readonly #runs: RunRecord[] = [];
  readonly #maxRuns: number;

  constructor(options: MemoryRunHistoryOptions = {}) {
    this.#maxRuns = options.maxRuns ?? 10_000;
  }

  async record(run: RunRecord): Promise<void> {
    this.#runs.push(structuredClone(run));
    if (this.#runs.length > this.#maxRuns) this.#runs.splice(0, this.#runs.length - this.#maxRuns);
  }

  async list(query: RunHistoryQuery = {}): Promise<RunRecord[]> {
    return selectRuns(this.#runs, query).map((r) => structuredClone(r));
  }

  async close(): Promise<void> {}
}
