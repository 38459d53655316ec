/**
 * `twitter-poller init [file]`: writes a commented config file to start from and prints the next
 * steps. It never overwrites a file unless `--force` is given.
 */
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { DEFAULTS } from '../config/defaults.js';
import type { InitConfig } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { VERSION } from './version.js';

/** Where editors find the schema: the copy shipped in the npm package, for this version. */
export const SCHEMA_URL = `https://unpkg.com/twitter-poller@${VERSION}/docs/streams.schema.json`;

/** The file `init` writes. Every key is valid as written; test/cli/init.test.ts loads it. */
export const STREAMS_TEMPLATE = `# yaml-language-server: $schema=${SCHEMA_URL}
# twitter-poller config: run with  twitter-poller poll --config streams.yaml
# Every key below the streams is optional; a command-line flag wins over the key.
# Durations: 90s, 15m, 2h, 7d (a plain number is in the key's unit). Reference: docs/configuration.md

# Where checkpoints live. Default: a per-user file, $XDG_STATE_HOME/twitter-poller/state.db
# (else ~/.local/state/twitter-poller/state.db).
# store: sqlite:/var/lib/twitter-poller/state.db

# Where posts go: jsonl:<file> (append + fsync), jsonl:- (stdout), lambda:<function>, sqs:<queue-url>.
sink: jsonl:posts.jsonl

# Posts delivered per run, all streams together; the rest waits for the next run.
max_tweets: ${DEFAULTS.maxTweets}

# Where a stream without a checkpoint starts: now, a look-back such as 1d, or a post id (quoted).
initial: 1d

# Stop in time to save the checkpoint after this long.
time_budget_seconds: 14m

streams:
  # The name is the checkpoint key: keep it stable. Default: search:<query>.
  - name: xdevs
    query: from:XDevelopers -is:retweet
  # A user's timeline, without replies and reposts.
  # - user: XDevelopers
  #   exclude: [replies, retweets]
  # Posts mentioning a user.
  # - mentions: XDevelopers
`;

/** `twitter-poller init`: writes the template, says what to do next. Resolves with the exit code. */
export function runInit(config: InitConfig, stdout: Writable): number {
  try {
    writeFileSync(config.path, STREAMS_TEMPLATE, { flag: config.force ? 'w' : 'wx' });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? `${config.path} already exists (use --force to overwrite it)`
        : `cannot write ${config.path}: ${cause instanceof Error ? cause.message : String(cause)}`;
    throw new ConfigError(`invalid init: ${why}`, 'init', { cause });
  }
  stdout.write(`Wrote ${config.path}. Next:
  1. Edit the streams in ${config.path} (your editor completes the keys from the schema on its first line).
  2. export X_BEARER_TOKEN=...      # your app's bearer token (never printed)
  3. twitter-poller poll --config ${config.path}
  4. twitter-poller status          # each stream's checkpoint
  Schedule step 3 (cron, systemd timer): each run resumes where the last one stopped.
`);
  return 0;
}
