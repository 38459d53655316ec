/**
 * Fan-out of many streams over workers (docs/architecture.md, "Fleet"): a planner cuts the stream
 * list into shards, each shard one queue message; a worker runs the usual execution on the streams
 * of its shard, under their leases. Pure: what to send and the limits it must respect.
 *
 *   planner (scheduled) ── order streams (most behind first: fair_lag) ── shards of `shardSize`
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

/** What the planner knows of a stream from its checkpoint. */
export interface StreamStanding {
  /** ISO-8601 time of the last checkpoint write. */
  readonly updatedAt: string;
  /** Fair-share state (src/core/fair-share.ts `nextLags`): posts per unit of weight behind; absent = 0. */
  readonly fairLag?: number;
}

/**
 * Orders streams for a wave, most behind first: the largest `fair_lag` (the fair-share state the
 * workers' runs carry over, as the scheduler orders one run), then, among equals, the least
 * recently written (never written first), then the configured order. A stream that got more than
 * its share (negative lag) goes last. Pure.
 *
 *   fair_lag  12.5   3    0     0     0     -4
 *   written   10:00  9:00 never 08:00 10:00 07:00
 *   order     1      2    3     4     5     6
 */
export function orderStreams(
  names: readonly string[],
  standing: ReadonlyMap<string, StreamStanding>,
): string[] {
  const key = (name: string, index: number) => {
    const s = standing.get(name);
    return { name, index, lag: s?.fairLag ?? 0, written: s?.updatedAt ?? '' };
  };
  return names
    .map(key)
    .sort(
      (a, b) =>
        b.lag - a.lag || (a.written < b.written ? -1 : a.written > b.written ? 1 : 0) || a.index - b.index,
    )
    .map((k) => k.name);
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
