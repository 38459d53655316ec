/**
 * The `twitter-poller` command line (poll, status, --help, --version). Thin: parse, compose, run,
 * report. `main` never calls process.exit; bin/twitter-poller.ts does, with the code it returns.
 */
import type { Writable } from 'node:stream';
import { redact } from '../adapters/observability/json-logger.js';
import { parseCliArgs } from '../config/cli-args.js';
import type { CliCommand } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { HELP } from './help.js';
import { runInit } from './init-command.js';
import { runMigrate } from './migrate-command.js';
import { runPlan } from './plan-command.js';
import { ExitCode, runPoll } from './poll-command.js';
import { runReport } from './report-command.js';
import { runStatus } from './status-command.js';
import { VERSION } from './version.js';

/** The process streams and environment the CLI uses; injectable for tests. */
export interface CliIo {
  /** @default process.stdout */
  readonly stdout?: Writable & { isTTY?: boolean };
  /** @default process.stderr */
  readonly stderr?: Writable & { isTTY?: boolean };
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs one command; resolves with the process exit code. `argv` excludes node and the script. */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  // A setting may quote the token back (e.g. a path that contains it): usage errors are redacted too.
  const secrets = [(io.env ?? process.env).X_BEARER_TOKEN?.trim() ?? ''];
  let command: CliCommand;
  try {
    command = await parseCliArgs(argv, io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const topic = ['poll', 'status', 'migrate', 'init', 'report', 'plan'].includes(argv[0] ?? '')
      ? `${argv[0]} `
      : '';
    stderr.write(
      `twitter-poller: ${redact(error.message, secrets)}\nRun "twitter-poller ${topic}--help" for usage.\n`,
    );
    return ExitCode.usage;
  }
  try {
    switch (command.command) {
      case 'help':
        stdout.write(HELP[command.topic]);
        return ExitCode.ok;
      case 'version':
        stdout.write(`${VERSION}\n`);
        return ExitCode.ok;
      case 'status':
        return await runStatus(command, { stdout, stderr });
      case 'init':
        return runInit(command, stdout);
      case 'poll':
        return await runPoll(command, { stderr, stdout });
      case 'migrate':
        return await runMigrate(command, { stdout, stderr });
      case 'plan':
        return await runPlan(command, stdout);
      case 'report':
        return await runReport(command, stdout);
    }
  } catch (error) {
    // Settings that only fail once used (an unreadable store file, a newer store schema) are still usage errors.
    if (error instanceof ConfigError) {
      stderr.write(`twitter-poller: ${redact(error.message, secrets)}\n`);
      return ExitCode.usage;
    }
    throw error;
  }
}
