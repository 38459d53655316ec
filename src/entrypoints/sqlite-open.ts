/**
 * One way to open an adapter on the SQLite file a `--store` names: a failure (not a database, no
 * permission, an I/O error) becomes a ConfigError naming `--store` and the file; a ConfigError the
 * adapter throws itself (a newer schema) passes through as it is.
 */
import { ConfigError } from '../core/errors.js';

/** `open()`, with its failure reported as a bad `--store` at `path`. */
export function openSqliteStore<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`invalid --store: cannot open ${path}: ${why}`, '--store', { cause });
  }
}
