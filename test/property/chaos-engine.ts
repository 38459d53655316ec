/**
 * One execution of the real engine under chaos, in process: emulator faults, sink and store failures,
 * and a "kill" at a labelled failpoint. A kill abandons the run where it stands (the failpoint never
 * returns, so core never runs its finally blocks): the lease stays held until it expires, as after a
 * real SIGKILL. Shared by property 5 and the model-based test.
 */
import type { RunningEmulator } from '../../emulator/index.js';
import { FailpointSink } from '../../src/adapters/sinks/failpoint.js';
import { SinkError } from '../../src/core/errors.js';
import type { Checkpoint, CheckpointStore, Lease } from '../../src/core/ports/checkpoint-store.js';
import { runExecution } from '../../src/core/run.js';
import {
  Failpoint,
  type FailpointLabel,
  type RunOptions,
  type RunSummary,
} from '../../src/core/run-types.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { ManualClock } from '../support/manual-clock.js';
import { type CollectingSink, engineDeps, hangForever } from './support.js';

export const FAILPOINT_LABELS: readonly FailpointLabel[] = Object.values(Failpoint);

export interface ChaosRunOptions {
  /** Kill at the n-th time this label is reached. */
  readonly kill?: { readonly label: FailpointLabel; readonly nth: number; readonly commitFirst?: boolean };
  /** Sink writes that fail (retryable SinkError, before the batch lands), by write index. */
  readonly sinkFailures?: ReadonlySet<number>;
  /** Checkpoint saves that fail (after nothing was written), by save index. */
  readonly storeFailures?: ReadonlySet<number>;
}

export type ChaosResult =
  | { readonly kind: 'killed'; readonly label: FailpointLabel }
  | { readonly kind: 'done'; readonly summary: RunSummary };

/** Wraps a store: scripted save failures and the during-the-write kill (before or after the commit). */
class ChaosStore implements CheckpointStore {
  saves = 0;
  constructor(
    private readonly inner: CheckpointStore,
    private readonly failures: ReadonlySet<number>,
    private readonly onWrite: (() => Promise<void>) | undefined,
    private readonly commitFirst: boolean,
  ) {}
  load(stream: string) {
    return this.inner.load(stream);
  }
  async save(checkpoint: Checkpoint, lease: Lease): Promise<void> {
    const index = this.saves++;
    if (this.failures.has(index)) throw new Error(`injected store failure on save ${index}`);
    if (this.onWrite !== undefined && !this.commitFirst) await this.onWrite();
    await this.inner.save(checkpoint, lease);
    if (this.onWrite !== undefined && this.commitFirst) await this.onWrite();
  }
  acquireLease(stream: string, owner: string, ttlMs: number, nowMs: number) {
    return this.inner.acquireLease(stream, owner, ttlMs, nowMs);
  }
  renewLease(lease: Lease, ttlMs: number, nowMs: number) {
    return this.inner.renewLease(lease, ttlMs, nowMs);
  }
  releaseLease(lease: Lease) {
    return this.inner.releaseLease(lease);
  }
  list() {
    return this.inner.list();
  }
  reset(stream: string) {
    return this.inner.reset(stream);
  }
  close() {
    return this.inner.close();
  }
}

/** Runs one execution at `startMs` (a fresh ManualClock); resolves when it ends or is killed. */
export async function chaosRun(
  emu: RunningEmulator,
  store: CheckpointStore,
  sink: CollectingSink,
  streams: readonly StreamSpec[],
  options: RunOptions,
  startMs: number,
  chaos: ChaosRunOptions = {},
): Promise<ChaosResult & { readonly endMs: number }> {
  const clock = new ManualClock(startMs);
  let killed: (label: FailpointLabel) => void = () => undefined;
  const killedAt = new Promise<FailpointLabel>((resolve) => {
    killed = resolve;
  });
  let hits = 0;
  const failpoint = async (label: FailpointLabel): Promise<void> => {
    if (chaos.kill === undefined || label !== chaos.kill.label) return;
    hits++;
    if (hits !== chaos.kill.nth) return;
    killed(label);
    await hangForever();
  };
  const storeOnWrite =
    chaos.kill?.label === Failpoint.duringCheckpointWrite
      ? () => failpoint(Failpoint.duringCheckpointWrite)
      : undefined;
  const chaosStore = new ChaosStore(
    store,
    chaos.storeFailures ?? new Set(),
    storeOnWrite,
    chaos.kill?.commitFirst ?? false,
  );
  let writes = 0;
  sink.failBefore = (batch) => {
    const index = writes++;
    return chaos.sinkFailures?.has(index)
      ? new SinkError(`injected sink failure on write ${index} (${batch.tweets.length} posts)`, true)
      : undefined;
  };
  const deps = engineDeps(emu, chaosStore, new FailpointSink(sink, failpoint), { clock, failpoint });
  const result = await Promise.race([
    runExecution(deps, streams, options).then((summary) => ({ kind: 'done', summary }) as const),
    killedAt.then((label) => ({ kind: 'killed', label }) as const),
  ]);
  sink.failBefore = undefined;
  return { ...result, endMs: clock.now() };
}
