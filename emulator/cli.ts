import { parseCliArgs, USAGE, UsageError } from './cli-args.js';
import { startEmulator } from './index.js';

/** Options of {@link main} (injectable for tests). */
export interface CliIo {
  /** @default process.stdout.write */
  readonly out: (line: string) => void;
  /** @default process.stderr.write */
  readonly err: (line: string) => void;
  /** Resolves when the emulator should stop. @default SIGINT or SIGTERM */
  readonly stopped: Promise<unknown>;
}

function signalled(): Promise<unknown> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/**
 * `twitter-poller emulator [flags]`: starts the emulator, prints
 * `emulator listening on http://127.0.0.1:PORT`, and runs until stopped. Exit code 2 for bad flags.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(line));
  const err = io.err ?? ((line: string) => process.stderr.write(line));
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`twitter-poller emulator: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  const emulator = await startEmulator(parsed.options);
  out(`emulator listening on ${emulator.url}\n`);
  await (io.stopped ?? signalled());
  await emulator.close();
  return 0;
}
