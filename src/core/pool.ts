/** Bounded parallelism for the per-stream steps of a run (opening and closing many streams). */

/**
 * Calls `fn` on every item, at most `limit` at a time; resolves with the results in the items' order.
 * With a store a network round trip away (DynamoDB), a hundred streams' leases, loads and first
 * checkpoints one after another cost a hundred round trips each.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    // Each turn takes the next item: bounded by the number of items.
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** At most `size` calls of `run` at a time; the others wait in call order. */
export class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#free++;
      else next(); // the slot passes to the next caller
    }
  }
}
