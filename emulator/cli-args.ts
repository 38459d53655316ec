import { parseArgs } from 'node:util';
import { ENDPOINT_KEYS, type EndpointKey } from './api/index.js';
import { FAULT_KINDS, type FaultKind, type ScriptedFault } from './faults/index.js';
import type { EmulatorOptions } from './options.js';

/** A bad command-line flag; the CLI prints it and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Help text of `twitter-poller emulator`. */
export const USAGE = `usage: twitter-poller emulator [options]
  --port N                    port to listen on (default 0 = any free port)
  --host H                    interface (default 127.0.0.1)
  --seed S                    corpus seed (default 1)
  --posts N                   posts generated at start (default 10000)
  --users N                   users generated (default posts/50, 20..20000)
  --token T                   accepted bearer token (repeatable; default: any non-empty token)
  --app NAME=T1,T2            tokens of one app, which share its rate limits (repeatable; default:
                              each token is its own app)
  --query-cache N             compiled search queries kept (default 256; bare from:user needs none)
  --rate-limit endpoint=N     requests per window per app (repeatable); endpoints: ${ENDPOINT_KEYS.join(', ')}
  --window-seconds N          rate-limit window (default 900)
  --search-all-per-second N   search/all per-second limit (default 1, 0 = off)
  --usage-cap N               monthly post reads before usage-capped 429 (default 10000000)
  --credits N                 pay-per-use credits in posts; beyond them 402 CreditsDepleted
                              (default: unlimited; a re-read the same UTC day is free)
  --publish-rate N            posts published per second (default 0)
  --late-arrival-fraction P   share of published posts indexed late (default 0.05)
  --late-arrival-ms N         lateness of late arrivals (default 60000)
  --fault SPEC                scripted fault (repeatable): KIND@N (N-th request) or KIND@PATH:NTH[:COUNT]
  --fault-rate P              probability of a random fault per request (default 0)
  --fault-kinds K,K           kinds drawn for random faults (default all but hang)
  --fault-seed S              seed of random faults (default 1)
fault kinds: ${FAULT_KINDS.join(', ')}`;

function int(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

function num(name: string, value: string | undefined, max = Number.POSITIVE_INFINITY): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) {
    throw new UsageError(`--${name} must be a number between 0 and ${max}, got '${value}'`);
  }
  return n;
}

function faultKind(kind: string): FaultKind {
  const k = FAULT_KINDS.find((f) => f === kind);
  if (k === undefined)
    throw new UsageError(`unknown fault kind '${kind}' (one of ${FAULT_KINDS.join(', ')})`);
  return k;
}

/** Parses `KIND@N` or `KIND@PATH:NTH[:COUNT]`. */
export function parseFaultSpec(spec: string): ScriptedFault {
  const at = spec.indexOf('@');
  if (at < 0) throw new UsageError(`--fault '${spec}': expected KIND@N or KIND@PATH:NTH[:COUNT]`);
  const fault = faultKind(spec.slice(0, at));
  const rest = spec.slice(at + 1);
  if (/^[0-9]+$/.test(rest)) return { fault, at: int('fault', rest, 1)! };
  const [path, nth, count] = rest.split(':');
  if (!path?.startsWith('/') || nth === undefined) {
    throw new UsageError(`--fault '${spec}': expected KIND@N or KIND@PATH:NTH[:COUNT]`);
  }
  return { fault, path, nth: int('fault', nth, 1)!, count: int('fault', count ?? '1', 1)! };
}

function apps(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = value.slice(0, eq);
    const tokens = value
      .slice(eq + 1)
      .split(',')
      .filter((t) => t !== '');
    if (eq <= 0 || tokens.length === 0)
      throw new UsageError(`--app '${value}': expected NAME=TOKEN[,TOKEN...]`);
    out[name] = [...(out[name] ?? []), ...tokens];
  }
  return out;
}

function rateLimits(values: readonly string[]): Partial<Record<EndpointKey, number>> {
  const out: Partial<Record<EndpointKey, number>> = {};
  for (const value of values) {
    const [name, limit] = value.split('=');
    const key = ENDPOINT_KEYS.find((k) => k === name);
    if (key === undefined || limit === undefined) {
      throw new UsageError(
        `--rate-limit '${value}': expected ENDPOINT=N with ENDPOINT one of ${ENDPOINT_KEYS.join(', ')}`,
      );
    }
    out[key] = int('rate-limit', limit, 0)!;
  }
  return out;
}

/** Parses the emulator's command line into options (`help` when --help was given). */
export function parseCliArgs(argv: string[]): { help: boolean; options: EmulatorOptions } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const scripted = (v.fault ?? []).map(parseFaultSpec);
  const faultRate = num('fault-rate', v['fault-rate'], 1);
  const kinds = v['fault-kinds']?.split(',').map(faultKind);
  const entries: [string, unknown][] = [
    ['port', int('port', v.port)],
    ['host', v.host],
    ['seed', int('seed', v.seed)],
    ['posts', int('posts', v.posts)],
    ['users', int('users', v.users, 1)],
    ['tokens', v.token],
    ['apps', v.app ? apps(v.app) : undefined],
    ['queryCacheSize', int('query-cache', v['query-cache'], 1)],
    ['rateLimits', v['rate-limit'] ? rateLimits(v['rate-limit']) : undefined],
    ['windowSeconds', int('window-seconds', v['window-seconds'], 1)],
    ['searchAllPerSecond', num('search-all-per-second', v['search-all-per-second'])],
    ['usageCap', int('usage-cap', v['usage-cap'])],
    ['credits', int('credits', v.credits)],
    ['publishRate', num('publish-rate', v['publish-rate'], 100_000)],
    ['lateArrivalFraction', num('late-arrival-fraction', v['late-arrival-fraction'], 1)],
    ['lateArrivalMs', int('late-arrival-ms', v['late-arrival-ms'])],
  ];
  const options = Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as EmulatorOptions;
  const faults = {
    ...(scripted.length > 0 ? { scripted } : {}),
    ...(faultRate !== undefined ? { rate: faultRate } : {}),
    ...(kinds !== undefined ? { kinds } : {}),
    ...(v['fault-seed'] !== undefined ? { seed: int('fault-seed', v['fault-seed'])! } : {}),
  };
  return {
    help: v.help ?? false,
    options: Object.keys(faults).length > 0 ? { ...options, faults } : options,
  };
}

function parse(argv: string[]) {
  const s = { type: 'string' } as const;
  const many = { type: 'string', multiple: true } as const;
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: s,
      host: s,
      seed: s,
      posts: s,
      users: s,
      token: many,
      app: many,
      'query-cache': s,
      'rate-limit': many,
      'window-seconds': s,
      'search-all-per-second': s,
      'usage-cap': s,
      credits: s,
      'publish-rate': s,
      'late-arrival-fraction': s,
      'late-arrival-ms': s,
      fault: many,
      'fault-rate': s,
      'fault-kinds': s,
      'fault-seed': s,
    },
  });
}
