/**
 * Fan-out of many streams over workers (docs/architecture.md, "Fleet"): a planner cuts the stream
 * list into shards, each shard one queue message; a worker runs the usual execution on the streams
 * of its shard, under their leases. Pure: what to send and the limits it must respect.
 *
 *   planner (scheduled) ── order streams (least recently written first) ── shards of `shardSize`
 *        │ SendMessageBatch, one message per shard
 *        ▼
 *   SQS queue ── event source mapping (MaximumConcurrency = workers) ──▶ worker Lambda
 *        ▲ not deleted: visible again after the visibility timeout           │ runExecution(shard)
 *        └──────────── a worker that failed, timed out or died ──────────────┘ leases per stream
 */

/** The body of one shard message. */
export interface ShardMessage {
  readonly kind: 'twitter-poller/shard';
  readonly version: 1;
  /** The planner run that cut it (its correlation id). */
  readonly wave: string;
  /** Index of the shard in its wave, from 0. */
  readonly shard: number;
  /** Stream names, in the order the worker takes them. */
  readonly streams: readonly string[];
}

/** Most streams in one shard, whatever the time budget. */
export const MAX_SHARD_SIZE = 1_000;
const ENCODER = new TextEncoder();
/** A shard message stays well under SQS's 256 KB. */
export const MAX_SHARD_BYTES = 200_000;

/**
 * The largest shard a worker can serve in one invocation: every stream costs at least one request,
 * and the app-wide minimum interval spaces them, so more streams than `budget / interval` cannot
 * all be polled before the worker's deadline.
 */
export function maxShardSize(timeBudgetMs: number, minIntervalMs: number): number {
  if (minIntervalMs <= 0) return MAX_SHARD_SIZE;
  return Math.max(1, Math.min(MAX_SHARD_SIZE, Math.floor(timeBudgetMs / minIntervalMs)));
}

/**
 * Orders streams for a wave: those never written first, then the least recently written (the
 * stream that waited longest goes first, a simple stand-in for the fair-share state).
 */
export function orderStreams(names: readonly string[], updatedAt: ReadonlyMap<string, string>): string[] {
  return [...names].sort((a, b) => {
    const ta = updatedAt.get(a) ?? '';
    const tb = updatedAt.get(b) ?? '';
    return ta < tb ? -1 : ta > tb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Cuts ordered streams into shard messages of at most `shardSize` streams and MAX_SHARD_BYTES. */
export function planShards(ordered: readonly string[], shardSize: number, wave: string): ShardMessage[] {
  const shards: ShardMessage[] = [];
  let current: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    shards.push({ kind: 'twitter-poller/shard', version: 1, wave, shard: shards.length, streams: current });
    current = [];
    bytes = 0;
  };
  for (const name of ordered) {
    const size = ENCODER.encode(JSON.stringify(name)).length + 1;
    if (current.length >= shardSize || bytes + size > MAX_SHARD_BYTES) flush();
    current.push(name);
    bytes += size;
  }
  flush();
  return shards;
}

/** Parses a message body; null for anything that is not a shard of this version. */
export function parseShard(body: string): ShardMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return null;
  }
  const m = raw as Partial<ShardMessage> | null;
  if (
    m?.kind !== 'twitter-poller/shard' ||
    m.version !== 1 ||
    typeof m.wave !== 'string' ||
    typeof m.shard !== 'number' ||
    !Array.isArray(m.streams) ||
    !m.streams.every((s) => typeof s === 'string')
  ) {
    return null;
  }
  return m as ShardMessage;
}
