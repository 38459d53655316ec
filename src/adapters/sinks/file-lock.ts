/**
 * proper-lockfile, imported at the first lock: loading it and graceful-fs costs start-up CPU that a
 * run without a JSONL file sink never needs.
 */
let lockfile: Promise<typeof import('proper-lockfile')> | undefined;

/**
 * How long a lock may go without its holder touching it before another writer takes it over: the
 * holder of a live lock refreshes it every `STALE_MS / 2`, so only a writer that died (SIGKILL, a
 * crashed machine) leaves one this old. proper-lockfile's minimum is 2000.
 */
const STALE_MS = 5_000;

/** Releases a lock; rejects when the lock was lost (taken over as stale) while it was held. */
export type Unlock = () => Promise<void>;

/**
 * Takes the exclusive advisory lock of `path` shared by every JsonlFileSink writing it, in this or
 * another process on this machine or one sharing the file system: a directory `<path>.lock`, created
 * atomically (mkdir), kept fresh while held and taken over once stale (proper-lockfile; see
 * docs/dependencies.md). Waits up to `waitMs` for another holder, then rejects.
 */
export async function lockFile(path: string, waitMs: number): Promise<Unlock> {
  let compromised: Error | undefined;
  lockfile ??= import('proper-lockfile');
  const { lock, lockSync, unlock } = await lockfile;
  const options = {
    realpath: false, // the file may not exist yet; the lock is named after the path as given
    stale: STALE_MS,
    onCompromised: (err: Error) => {
      compromised = err; // reported by unlock: the default would throw from a timer
    },
  };
  let release: () => Promise<void>;
  try {
    // The usual case, nobody else holding it: taken at once with a synchronous mkdir, no thread-pool
    // round trip (a flush's CPU, bench/README.md "Drain"). Released asynchronously: the rmdir of the
    // lock directory is the slow half (measured ~0.7 ms here) and would block this process.
    lockSync(path, options);
    release = () => unlock(path, { realpath: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    release = await lock(path, {
      ...options,
      retries: { retries: Math.max(1, Math.ceil(waitMs / 100)), minTimeout: 5, maxTimeout: 100, factor: 1.5 },
    });
  }
  return async () => {
    if (compromised !== undefined) throw compromised;
    await release();
  };
}
