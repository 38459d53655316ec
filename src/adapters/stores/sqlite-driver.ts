/**
 * The SQLite library under the SQLite store: better-sqlite3 when it loads, else Node's built-in
 * `node:sqlite` (Node >= 22.13). better-sqlite3 is a native module built by its install script;
 * where that script did not run (npm's install-script policy, no compiler, a Node ABI it was not
 * built for) a Node 22 install still has a working default store. docs/dependencies.md says why.
 *
 * Both libraries are used through the same five calls (exec, prepare, run, get, all, close), so the
 * store has one code path; transactions are plain `BEGIN IMMEDIATE` / `COMMIT` / `ROLLBACK`.
 */
import { createRequire } from 'node:module';

/** A prepared statement: positional (`?`) or named (`@name`, object keys without the `@`) parameters. */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** An open database. */
export interface SqliteConnection {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

/** Which library opened a connection. */
export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';

type Opener = (path: string, readOnly: boolean) => SqliteConnection;

let betterSqlite: Opener | Error | undefined;
let nodeSqlite: Opener | Error | undefined;

function loadBetterSqlite(): Opener | Error {
  betterSqlite ??= (() => {
    try {
      const Database = createRequire(import.meta.url)('better-sqlite3') as new (
        path: string,
        options?: { readonly?: boolean; fileMustExist?: boolean },
      ) => SqliteConnection;
      // The native addon loads on the first open: probe it here, not in the middle of a run.
      new Database(':memory:').close();
      return (path: string, readOnly: boolean) =>
        new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  return betterSqlite;
}

function loadNodeSqlite(): Opener | Error {
  nodeSqlite ??= (() => {
    const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    // Unflagged from 22.13 (earlier 22.x need --experimental-sqlite); absent on Node 20.
    if (typeof getBuiltin !== 'function' || major < 22 || (major === 22 && minor < 13)) {
      return new Error(`node:sqlite needs Node 22.13 or later (this is ${process.versions.node})`);
    }
    try {
      const { DatabaseSync } = getBuiltin('node:sqlite') as {
        DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => SqliteConnection;
      };
      return (path: string, readOnly: boolean) => new DatabaseSync(path, readOnly ? { readOnly: true } : {});
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  return nodeSqlite;
}

const LOADERS: Record<SqliteDriverName, () => Opener | Error> = {
  'better-sqlite3': loadBetterSqlite,
  'node:sqlite': loadNodeSqlite,
};

/** The drivers that load in this process, preferred first. */
export function availableSqliteDrivers(): SqliteDriverName[] {
  return (Object.keys(LOADERS) as SqliteDriverName[]).filter((name) => !(LOADERS[name]() instanceof Error));
}

/**
 * Opens `path` with `driver`, or with the first driver that loads (better-sqlite3, then node:sqlite).
 * Throws an Error that says how to get a driver when none loads.
 */
export function openSqlite(
  path: string,
  options: { readonly readOnly?: boolean; readonly driver?: SqliteDriverName } = {},
): { readonly db: SqliteConnection; readonly driver: SqliteDriverName } {
  const names =
    options.driver === undefined ? (Object.keys(LOADERS) as SqliteDriverName[]) : [options.driver];
  const failures: string[] = [];
  for (const name of names) {
    const opener = LOADERS[name]();
    if (opener instanceof Error) {
      failures.push(`${name}: ${opener.message.split('\n')[0]}`);
      continue;
    }
    return { db: opener(path, options.readOnly === true), driver: name };
  }
  throw new Error(
    `no SQLite library could be loaded (${failures.join('; ')}). Run "npm rebuild better-sqlite3" where twitter-poller is installed (its install script builds the native module), or use Node 22.13 or later, which has node:sqlite built in`,
  );
}
