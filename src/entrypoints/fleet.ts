/**
 * The planner and the worker of the fan-out, independent of where they run (Lambda handlers in
 * lambda-fleet.ts, the `work` loop below for a process or a test playing the event source).
 */
import type { ReceivedShard } from '../adapters/aws/shard-queue.js';
import { orderStreams, parseShard, planShards, type ShardMessage } from '../core/fleet.js';
import type { CheckpointStore } from '../core/ports/checkpoint-store.js';
import { LogEvent, type Logger } from '../core/ports/observability.js';
import { runExecution } from '../core/run.js';
import type { RunDependencies, RunOptions, RunSummary } from '../core/run-types.js';
import type { StreamSpec } from '../core/stream.js';

/** Where shards go. */
export interface ShardSender {
  send(shards: readonly ShardMessage[]): Promise<void>;
}

/** What one planner run did. */
export interface WavePlan {
  readonly wave: string;
  readonly streams: number;
  readonly shards: number;
}

/**
 * Cuts every configured stream into shards, most behind first (`orderStreams`: fair_lag, then
 * least recently written), and sends them. The planner only reads checkpoints; leases are taken
 * by the workers.
 */
export async function planWave(
  streams: readonly StreamSpec[],
  store: CheckpointStore,
  queue: ShardSender,
  shardSize: number,
  wave: string,
): Promise<WavePlan> {
  const standing = new Map((await store.list()).map((c) => [c.stream, c] as const));
  const shards = planShards(
    orderStreams(
      streams.map((s) => s.name),
      standing,
    ),
    shardSize,
    wave,
  );
  await queue.send(shards);
  return { wave, streams: streams.length, shards: shards.length };
}

/** A shard's run: the summary, or why it is not done (with the summary when it ran: a stream failed). */
export type ShardResult =
  | { readonly ok: true; readonly shard: ShardMessage; readonly summary: RunSummary }
  | { readonly ok: false; readonly reason: string; readonly summary?: RunSummary };

/**
 * Runs the streams of one shard message (names not in `all` are logged and left out). A shard is
 * done (`ok`) unless a stream failed: a stream stopped by the deadline or held by another worker is
 * picked up by a later wave, and the message is not worth redelivering for it.
 */
export async function runShard(
  body: string,
  all: readonly StreamSpec[],
  deps: RunDependencies,
  options: RunOptions,
  signal?: AbortSignal,
): Promise<ShardResult> {
  const shard = parseShard(body);
  if (shard === null) return { ok: false, reason: 'not a shard message' };
  const byName = new Map(all.map((s) => [s.name, s] as const));
  const missing = shard.streams.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    deps.logger.log('warn', 'shard_streams_unknown', {
      wave: shard.wave,
      shard: shard.shard,
      streams: missing,
    });
  }
  const streams = shard.streams.flatMap((n) => byName.get(n) ?? []);
  const summary = await runExecution(deps, streams, options, signal);
  const failed = summary.streams.filter((s) => s.outcome === 'failed');
  return failed.length === 0
    ? { ok: true, shard, summary }
    : { ok: false, reason: `${failed.length} stream(s) failed`, summary };
}

/** A queue a worker process receives shards from. */
export interface ShardSource {
  receive(visibilityTimeoutSeconds: number, waitSeconds?: number): Promise<ReceivedShard | null>;
  delete(receiptHandle: string): Promise<void>;
}

/** Options of {@link workQueue}. */
export interface WorkQueueOptions {
  /** Seconds a received shard stays invisible to other workers (longer than one shard's run). */
  readonly visibilityTimeoutSeconds: number;
  /** Shards at most, then return. @default 1000 */
  readonly maxMessages?: number;
  /** Called with each shard's result (tests, logs). */
  readonly onShard?: (result: ShardResult, received: ReceivedShard) => void;
}

/**
 * The event source, played by a process: receive a shard, run it, delete it when done; a shard
 * that failed is left to reappear after its visibility timeout. Returns when the queue is empty
 * or after `maxMessages`.
 */
export async function workQueue(
  queue: ShardSource,
  all: readonly StreamSpec[],
  deps: () => { readonly deps: RunDependencies; readonly options: RunOptions; done(): Promise<void> },
  options: WorkQueueOptions,
  logger: Logger,
): Promise<number> {
  let handled = 0;
  for (let n = 0; n < (options.maxMessages ?? 1_000); n++) {
    const received = await queue.receive(options.visibilityTimeoutSeconds);
    if (received === null) break;
    const run = deps();
    let result: ShardResult;
    try {
      result = await runShard(received.body, all, run.deps, run.options);
    } finally {
      await run.done();
    }
    options.onShard?.(result, received);
    if (result.ok) {
      await queue.delete(received.receiptHandle);
      handled++;
    } else {
      logger.log('warn', LogEvent.error, {
        during: 'shard',
        reason: result.reason,
        receive_count: received.receiveCount,
      });
    }
  }
  return handled;
}
