/**
 * In-memory CheckpointStore: the reference backend the unit tests and the contract suite run against.
 * Same semantics as the durable stores: fenced leases, conditional writes, monotonic since_id.
 */
import { parseCheckpoint } from '../../core/checkpoint.js';
import { CheckpointConflictError } from '../../core/errors.js';
import { compareIds } from '../../core/ids.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../core/ports/checkpoint-store.js';

/** CheckpointStore in a Map; items go through the same validation as the durable stores on load. */
export class MemoryCheckpointStore implements CheckpointStore {
  /** Raw items, as a durable store would hold them (validated on load, like the real ones). */
  readonly #items = new Map<string, unknown>();
  readonly #leases = new Map<string, Lease>();
  /** Fencing counter per stream; only ever grows, also across releases. */
  readonly #fences = new Map<string, number>();
  /** Saves accepted so far (tests use it to count writes). */
  saves = 0;

  async load(stream: string): Promise<Checkpoint | null> {
    if (!this.#items.has(stream)) return null;
    const checkpoint = parseCheckpoint(this.#items.get(stream), stream);
    return structuredClone(checkpoint);
  }

  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const stream = checkpoint.stream;
    parseCheckpoint(checkpoint, stream); // nothing corrupt is ever written, as in the durable stores
    const current = this.#leases.get(stream);
    if (
      lease.stream !== stream ||
      current === undefined ||
      current.fence !== lease.fence ||
      current.owner !== lease.owner
    ) {
      throw new CheckpointConflictError(
        `stream ${stream}: lease with fence ${lease.fence} is not the current lease`,
        stream,
      );
    }
    const stored = this.#items.get(stream);
    if (stored !== undefined) {
      const previous = parseCheckpoint(stored, stream);
      if (compareIds(checkpoint.sinceId, previous.sinceId) < 0) {
        throw new CheckpointConflictError(
          `stream ${stream}: since_id ${checkpoint.sinceId} would move back from ${previous.sinceId}`,
          stream,
        );
      }
    }
    this.#items.set(stream, structuredClone(checkpoint));
    this.saves++;
  }

  async acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number): Promise<Lease | null> {
    const current = this.#leases.get(stream);
    if (current !== undefined && current.owner !== owner && current.expiresAtMs > nowMs) return null;
    const fence = (this.#fences.get(stream) ?? 0) + 1;
    this.#fences.set(stream, fence);
    const lease: Lease = { stream, owner, fence, expiresAtMs: nowMs + ttlMs };
    this.#leases.set(stream, lease);
    return { ...lease };
  }

  async renewLease(lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
    const current = this.#leases.get(lease.stream);
    if (current === undefined || current.fence !== lease.fence || current.owner !== lease.owner) {
      throw new CheckpointConflictError(`stream ${lease.stream}: lease was lost`, lease.stream);
    }
    const renewed: Lease = { ...current, expiresAtMs: nowMs + ttlMs };
    this.#leases.set(lease.stream, renewed);
    return { ...renewed };
  }

  async releaseLease(lease: Lease): Promise<void> {
    const current = this.#leases.get(lease.stream);
    if (current !== undefined && current.fence === lease.fence && current.owner === lease.owner) {
      this.#leases.delete(lease.stream);
    }
  }

  async list(): Promise<Checkpoint[]> {
    return [...this.#items.entries()].map(([stream, raw]) => structuredClone(parseCheckpoint(raw, stream)));
  }

  async reset(stream: string): Promise<void> {
    this.#items.delete(stream);
  }

  async close(): Promise<void> {}

  /** Test hook: stores `raw` as is (a legacy or corrupted item), bypassing every check. */
  putRaw(stream: string, raw: unknown): void {
    this.#items.set(stream, structuredClone(raw));
  }

  /** Test hook: the lease currently held on `stream`, if any. */
  currentLease(stream: string): Lease | undefined {
    const lease = this.#leases.get(stream);
    return lease === undefined ? undefined : { ...lease };
  }
}
