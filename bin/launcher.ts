/**
 * The `twitter-poller` executable (dist/twitter-poller.js, the package's `bin`). Its first line is a
 * plain `#!/usr/bin/env node`, which BusyBox env, the BSDs and npm's Windows shims all accept (they
 * reject `env -S node <flags>`), so the V8 memory caps cannot ride on the shebang. Instead this file
 * starts dist/cli.js under `node <caps>`:
 *
 *   process.execve (Node >= 22.15, POSIX)  replaces this process: same pid, signals, exit code
 *   otherwise (Node 20, Windows)           a child process; SIGTERM/SIGHUP are passed on, and
 *                                          Ctrl-C reaches the child through the terminal's group
 *   caps already given (NODE_OPTIONS,       dist/cli.js is imported in this process
 *   node flags, or TWITTER_POLLER_NO_REEXEC=1)
 *
 * Why the caps: scripts/build.mjs and docs/configuration.md ("Memory").
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MEMORY_CAPS } from './memory-caps.js';

// node:sqlite (the SQLite store's fallback on Node 22 when better-sqlite3 is not built) prints an
// ExperimentalWarning line on stderr, which is JSON lines only.
const NODE_FLAGS = [...MEMORY_CAPS, '--disable-warning=ExperimentalWarning'];
const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
const args = process.argv.slice(2);
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const capped = given.some((flag) => flag.startsWith('--max-old-space-size'));

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;
const execve = (process as unknown as { execve?: Execve }).execve;

if (capped || process.env.TWITTER_POLLER_NO_REEXEC === '1') {
  await import(new URL('./cli.js', import.meta.url).href);
} else if (typeof execve === 'function' && process.platform !== 'win32') {
  execve(process.execPath, [process.execPath, ...NODE_FLAGS, cli, ...args], process.env);
} else {
  const child = spawn(process.execPath, [...NODE_FLAGS, cli, ...args], { stdio: 'inherit' });
  // A terminal's Ctrl-C already reaches the child (same process group): passing SIGINT on would make
  // it a second one, which the CLI reads as "stop now". Other signals only reach this process.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    process.stderr.write(`twitter-poller: cannot start ${process.execPath}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      // Die of the same signal, so the caller sees what the child saw.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}
