import type { Writable } from 'node:stream';
import { redact } from '../adapters/observability/json-logger.js';
import type { PollConfig } from '../config/types.js';
import { CheckpointConflictError } from '../core/errors.js';
import { redactValue } from '../core/redaction.js';
import { runExecution } from '../core/run.js';
import { spendExtras } from '../core/run-history.js';
import type { RunSummary } from '../core/run-types.js';
import { type ComposeIo, type Composition, composePoll } from './compose.js';
import { recordRun } from './run-history.js';
import { runNotices } from './run-notices.js';

/** Exit codes of `poll`, documented in README.md. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** Stream outcomes that end a run normally: everything owed is either delivered or safely recorded as owed. */
const NORMAL_OUTCOMES = new Set([
  'caught_up',
  'budget_exhausted',
  'spend_exhausted',
  'deadline',
  'skipped_locked',
]);

export interface PollIo extends ComposeIo {
  readonly stderr: Writable & { isTTY?: boolean };
  /** Where SIGINT/SIGTERM come from. @default process */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** `twitter-poller poll`: compose, optionally reset, run once, report. Resolves with the exit code. */
export async function runPoll(config: PollConfig, io: PollIo): Promise<number> {
  // On a terminal the progress line may be showing: clear it first (the next event redraws it).
  const clear = io.stderr.isTTY === true && config.progress !== false ? '\r\x1b[K' : '';
  const say = (text: string) =>
    io.stderr.write(`${clear}twitter-poller: ${redact(text, [config.bearerToken])}\n`);
  const composition = await composePoll(config, io);
  // Human lines go out as things happen (typed events), so that `execution_end` stays the last line.
  const observer = runNotices(say, composition.deps.observer);
  const logger = composition.logger.child({ correlation_id: composition.options.correlationId });
  const controller = new AbortController();
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    // A second signal while stopping means "now": leave without waiting for the last batch.
    if (interrupted !== undefined) process.exit(signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm);
    interrupted = signal;
    logger.log('warn', 'interrupted', {
      signal,
      message: 'stopping after the batch in flight; state is saved',
    });
    controller.abort(new Error(`received ${signal}`));
  };
  const signals = io.signals ?? process;
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  signals.on('SIGINT', handlers.SIGINT);
  signals.on('SIGTERM', handlers.SIGTERM);
  let summary: RunSummary | undefined;
  let closeFailed = false;
  try {
    if (config.resetCheckpoint) {
      for (const stream of composition.streams) await resetCheckpoint(composition, stream.name);
      for (const stream of composition.streams) {
        logger.log('warn', 'checkpoint_reset', { stream: stream.name, reason: '--reset-checkpoint' });
      }
    }
    summary = await runExecution(
      { ...composition.deps, observer },
      composition.streams,
      composition.options,
      controller.signal,
    );
    // The history is kept for months and shown in reports: redacted like the logs.
    const key = config.dynamodbLayout?.keyAttribute;
    await recordRun(
      config.store,
      redactValue(summary, [config.bearerToken]),
      Date.now(),
      say,
      spendExtras(summary, composition.options.spend),
      key === undefined ? {} : { keyAttribute: key },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.log('error', 'error', { code: 'internal', reason: message });
    say(`the run failed: ${message}`);
    if (summary === undefined) {
      // The run itself failed before its summary: say how it ended, as the last line.
      logger.log('error', 'execution_end', {
        caught_up: false,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    return ExitCode.failure;
  } finally {
    signals.off('SIGINT', handlers.SIGINT);
    signals.off('SIGTERM', handlers.SIGTERM);
    await composition.close().catch((error: unknown) => {
      // Closing flushes what the sink still holds: a failure there is a sink failure (exit 1).
      const message = error instanceof Error ? error.message : String(error);
      closeFailed = true;
      logger.log('error', 'error', { code: 'sink', message, during: 'close' });
      say(`could not close the sink or store cleanly: ${message}`);
    });
  }
  if (closeFailed) return ExitCode.failure;
  if (interrupted !== undefined) return interrupted === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
  return summary.streams.every((s) => NORMAL_OUTCOMES.has(s.outcome)) ? ExitCode.ok : ExitCode.failure;
}

/** Deletes a checkpoint under the stream's lease, so that a run polling it at that moment is not pulled from under. */
async function resetCheckpoint(composition: Composition, stream: string): Promise<void> {
  const { store, clock } = composition.deps;
  const owner = composition.options.correlationId ?? 'reset';
  const lease = await store.acquireLease(stream, owner, composition.options.leaseTtlMs, clock.now());
  if (lease === null) {
    throw new CheckpointConflictError(
      `cannot reset stream "${stream}": another execution is polling it; try again when it has finished`,
      stream,
    );
  }
  try {
    await store.reset(stream);
  } finally {
    await store.releaseLease(lease);
  }
}
