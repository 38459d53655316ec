/**
 * The rule that a failed commit always wins. A commit is what makes delivered posts count: the sink's
 * flush (fsync, acknowledgement) and the checkpoint write after it. When one fails, the stream's
 * outcome is `failed` with an `error` event (and the run exits 1), whatever else is stopping it at the
 * same time: a deadline, an abort (SIGTERM), a rate-limit wait that would pass the deadline, a
 * stale-since_id retry. The errors keep their own class and code; they are only marked here, where
 * the commit runs, and the marks are read where the outcome is decided (stream-runner's `failed`).
 */

const commitFailures = new WeakSet<object>();

/** Marks `error` as the failure of a commit and returns it (an Error is made for a non-object). */
export function markCommitFailure(error: unknown): unknown {
  const marked = typeof error === 'object' && error !== null ? error : new Error(String(error));
  commitFailures.add(marked);
  return marked;
}

/** True when `error` came from a commit (see markCommitFailure): it is never a `deadline`. */
export function isCommitFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && commitFailures.has(error);
}

/** Resolves with the commit's failure, or undefined when it succeeded (or there was none). */
export function commitError(commit: Promise<void> | undefined): Promise<unknown> {
  return commit === undefined
    ? Promise.resolve(undefined)
    : commit.then(
        () => undefined,
        (e: unknown) => e ?? new Error('commit failed'),
      );
}
