import type { SettingName } from '../config/defaults.js';
import { shown } from '../config/settings.js';

/** A default as the flag takes it (src/config/defaults.ts). */
const d = (name: SettingName) => shown(name, 'flag');
const STORE_DEFAULT =
  'sqlite:$XDG_STATE_HOME/twitter-poller/state.db, else sqlite:~/.local/state/twitter-poller/state.db;\n                           ./.twitter-poller/state.db when that file exists';

/** `twitter-poller --help`, `poll --help`, `status --help`, `migrate --help`, `init --help`. */
export const HELP = {
  main: `twitter-poller: lossless, rate-limit-aware incremental poller for the X API v2

Usage:
  twitter-poller poll (--query <q> | --user <name|id> | --mentions <name|id> | --config <file>) [options]
  twitter-poller status [--store <store>] [--json]
  twitter-poller report [--store <store>] [--since <period>] [--out <file>]
  twitter-poller migrate --store dynamodb:<table> [--apply]   adopt an old poller's table
  twitter-poller init [file] [--force]   write a commented streams.yaml to start from
  twitter-poller plan --config <file> --queue <sqs-url> [--shard-size <n>]   one fan-out wave
  twitter-poller emulator [options]      run the bundled X API v2 emulator (see: emulator --help)
  twitter-poller demo                    poll the bundled emulator end to end (no token needed)
  twitter-poller -h, --help | -v, --version   (on every command)

Run "twitter-poller <command> --help" for the options of a command.
Exit codes: 0 ok (caught up or stopped by a budget, state saved), 1 failure after retries
or the API's credits depleted (HTTP 402: top them up),
2 bad usage or configuration, 130/143 interrupted by SIGINT/SIGTERM (state saved).
`,
  poll: `Usage: twitter-poller poll <source> [options]

Polls the X API v2 once: finishes any pending sweep, then fetches every post newer than the
checkpoint, delivers it to the sink and moves the checkpoint only after the sink acknowledged it.
Logs are JSON lines on stderr; the last one is {"event":"execution_end",...}.

Source (exactly one):
  --query <q>              recent search (last 7 days)
  --archive                with --query: full-archive search (/2/tweets/search/all)
  --user <name|id>         the user's timeline (@name or user:name is a username,
                           id:123 or bare digits an id)
  --exclude <list>         with --user: replies, retweets or replies,retweets
  --mentions <name|id>     posts mentioning the user
  --config <file>          streams and defaults from a JSON or YAML file
  --stream <name>          the stream's name (checkpoint key); with --config: run only that stream
                           (default: search:<q>, archive:<q>, timeline:<user>, mentions:<user>)

Durations: 90s, 15m, 2h, 7d or 250ms; a plain number is in the unit shown (<seconds>, <ms>).

Options:
  --store <store>          sqlite:<path> | memory: | dynamodb:<table>
                           (default ${STORE_DEFAULT})
  --sink <sink>            jsonl:<path> | jsonl:- (stdout) | lambda:<function> | sqs:<queue-url>
                           (default ${d('sink')})
  --max-tweets <n>         posts delivered per run, all streams together (default ${d('maxTweets')})
  --batch-size <n>         posts per sink write (default ${d('batchSize')})
  --commit-pages <n>       at most this many pages written and not committed (default ${d('commitPages')}): a
                           commit (sink fsync + checkpoint) starts at half; a crash re-delivers at most
                           this many pages per stream
  --commit-interval <duration>  or once this long passed since the last commit (default ${d('commitIntervalMs')} ms);
                           always at a stop, the deadline, a signal and the end
  --time-budget <seconds>  wall time of the run (default ${d('timeBudgetMs')}, i.e. 14m)
  --min-interval <ms>      minimum time between two API requests (default ${d('minIntervalMs')})
  --retry-base <ms>        first backoff delay, full jitter (default ${d('retryBaseMs')})
  --retry-max <ms>         longest backoff delay (default ${d('retryMaxMs')})
  --retry-attempts <n>     attempts per request, the first included (default ${d('retryAttempts')})
  --lease-ttl <seconds>    how long a crashed run keeps its streams locked (default ${d('leaseTtlMs')})
  --initial <start>        where a stream without checkpoint starts: now, a look-back such as
                           7d, 36h or 90m, or a post id (default ${d('initial')})
  --overlap <seconds>      re-read this far behind the checkpoint for late posts (default ${d('overlapMs')})
  --max-spend-day <usd>    stop reading before the posts billed today (UTC, every process on
                           this store together) would cost more (default: no limit)
  --max-spend-month <usd>  the same per UTC calendar month (default: no limit)
  --price-per-post <usd>   price of one post read, for spend figures and budgets
                           (default ${d('pricePerPostUsd')}; a re-read the same UTC day is free)
  --reset-checkpoint       delete the selected streams' checkpoints first
  --api-base <url>         API base URL (default $X_API_BASE_URL, else ${d('apiBaseUrl')});
                           plain http:// only to loopback (127.0.0.0/8, ::1, localhost)
  --allow-insecure-http    send the token over plain http:// to a non-loopback host anyway
  --log-level <level>      debug | info | warn | error (default ${d('logLevel')})
  --dynamodb-key <attr>    the dynamodb table's key attribute (default ${d('dynamodbKey')})
  --legacy-since-id-attribute <attr>
                           the old poller's string since_id, kept in step with every commit
                           (default ${d('legacySinceIdAttribute')})
  --payload-format <f>     lambda sink payload: envelope | tweets | array (default ${d('payloadFormat')})
  --invocation-type <t>    lambda sink Invoke: Event | RequestResponse (default ${d('invocationType')})
  -q, --quiet              no progress line (also off when stderr is not a terminal, TERM=dumb or CI)
  --concurrency <n>        streams with a request in flight at once in this process, under one
                           rate limiter and one post budget (default ${d('concurrency')})
  --rate-budget <mode>     shared: pace with every process sharing the store (the app's budget);
                           local: this process alone (default ${d('rateBudget')})
  -h, --help
  -v, --version

Environment:
  X_BEARER_TOKEN           app bearer token (required; never printed)
  X_API_BASE_URL           API base URL when --api-base is not given
  HTTPS_PROXY, HTTP_PROXY  proxy for https / http requests (CONNECT tunnel for https)
  NO_PROXY                 hosts never proxied (loopback never is)
  XDG_STATE_HOME           where the default store lives (else ~/.local/state)
`,
  status: `Usage: twitter-poller status [--store <store>] [--config <file>] [--json]

Prints every stream's checkpoint: since_id, the pending sweep (posts still owed) and who wrote it,
then the posts billed today and this month (UTC) and whether the API's credits are depleted.
beside its last run from the history: outcome, freshness lag, age of the oldest post owed, spend.
A table on a terminal, JSON otherwise (or with --json).

The store is opened read-only: status never creates or changes a file, and a missing SQLite file
is an error (exit 2).

Options:
  --store <store>          sqlite:<path> | memory: | dynamodb:<table>
                           (default ${STORE_DEFAULT})
  --config <file>          take the store from a config file
  --json                   JSON even on a terminal
  --dynamodb-key <attr>    the dynamodb table's key attribute (default ${d('dynamodbKey')})
  --legacy-since-id-attribute <attr>
                           the old poller's string since_id (default ${d('legacySinceIdAttribute')})
  -h, --help
  -v, --version
`,
  migrate: `Usage: twitter-poller migrate --store dynamodb:<table> [--apply] [--skip-corrupt] [options]

Lists every item of an existing checkpoint table and what it becomes: adopted (the old poller's
string since_id gets the numeric fields beside it), already current, new, or corrupt and why.
A dry run unless --apply. Exits 2 on corrupt items (writing nothing) unless --skip-corrupt.
The runbook: docs/upgrade.md.

Options:
  --store <store>          dynamodb:<table> (required; or from --config)
  --config <file>          take the store and the attribute names from a config file
  --apply                  adopt the items (default: dry run)
  --skip-corrupt           leave corrupt items alone and exit 0
  --dynamodb-key <attr>    the table's key attribute (default ${d('dynamodbKey')})
  --legacy-since-id-attribute <attr>
                           the old poller's string since_id (default ${d('legacySinceIdAttribute')})
  --json                   JSON lines even on a terminal
  -h, --help
  -v, --version
`,
  init: `Usage: twitter-poller init [file] [--force]

Writes a commented config file (default streams.yaml) to start from, and prints the next steps.
An existing file is left alone unless --force is given. Editors complete the file with
docs/streams.schema.json (the first line of the file points to it).

Options:
  --force                  overwrite an existing file
  -h, --help
  -v, --version
`,
  report: `Usage: twitter-poller report [--store <store>] [--config <file>] [--since <period>] [--out <file>]

Writes one self-contained HTML file (inline SVG charts, no script, no network when viewed) from the
run history in the store: posts per run per stream; requests, 429s and waits per run; freshness lag
over time; gaps; spend per day against the budget; and the streams that are behind.

Options:
  --store <store>          sqlite:<path> | dynamodb:<table>
                           (default ${STORE_DEFAULT})
  --config <file>          take the store from a config file
  --since <period>         how far back: 30d, 36h, 90m, 45s (default ${d('reportSince')})
  --out <file>             the HTML file to write (default ${d('reportOut')})
  --dynamodb-key <attr>    the dynamodb table's key attribute (default ${d('dynamodbKey')})
  -h, --help
  -v, --version

Exit codes: 0 written, 2 bad usage, or a missing or empty store (nothing to report).
`,
  plan: `Usage: twitter-poller plan --config <file> --queue <sqs-url> [options]

One fan-out wave: the config's streams, most behind (fair_lag) first, cut into shards of
--shard-size streams, one SQS message each, for the workers (docs/architecture.md, "Fleet").
Prints {"wave":…,"streams":…,"shards":…}.

Options:
  --config <file>          the streams (required)
  --queue <url>            the shard queue (required)
  --fanout <mode>          sqs (default); single is the one-function mode and has nothing to plan
  --shard-size <n>         streams per shard (default ${d('shardSize')}), at most one per --min-interval of
                           --time-budget: every stream costs a worker at least one request
  --time-budget <seconds>  a worker's budget (default ${d('timeBudgetMs')})
  --min-interval <ms>      the app-wide minimum interval (default ${d('minIntervalMs')})
  --store <store>          where the checkpoints are read for the order (default ${d('store')})
  -h, --help
`,
} as const;
