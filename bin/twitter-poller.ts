/**
 * The single executable. bin/ is the only place that may import both src/ and emulator/: the
 * poller and the emulator never import each other, so they cannot share (and agree on) a bug.
 *
 *   twitter-poller emulator ...  → emulator/cli.ts
 *   twitter-poller demo          → bin/demo.ts (emulator + poller together)
 *   anything else                → src/entrypoints/cli.ts (poll, status, --help, --version)
 */
import { VERSION } from '../src/entrypoints/version.js';

const argv = process.argv.slice(2);

async function dispatch(): Promise<number> {
  const [command, ...rest] = argv;
  // -v / --version works on every command; poll, status and init parse it themselves.
  if ((command === 'emulator' || command === 'demo') && rest.some((a) => a === '-v' || a === '--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'emulator') return (await import('../emulator/cli.js')).main(rest);
  if (command === 'demo') return (await import('./demo.js')).runDemo(rest);
  return (await import('../src/entrypoints/cli.js')).main(argv);
}

// A reader that goes away (`| head`) must not crash the process with an unhandled EPIPE.
process.stdout.on('error', () => undefined);

dispatch().then(
  (code) => {
    // Keep-alive sockets or timers must not keep a finished command alive; stdout/stderr are synchronous
    // for files and pipes on Linux, so nothing written is lost.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(
      `twitter-poller: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
