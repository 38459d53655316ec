import type { EndpointKey } from './api/index.js';
import type { FaultOptions } from './faults/index.js';

/** Options of `startEmulator`; every field is optional. */
export interface EmulatorOptions {
  /** Port to listen on (0 = any free port). @default 0 */
  readonly port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Corpus seed. @default 1 */
  readonly seed?: number;
  /** Posts generated at start. @default 10_000 */
  readonly posts?: number;
  /** Users generated at start. @default clamp(posts / 50, 20, 20_000) */
  readonly users?: number;
  /** Initial "now", epoch ms. @default Date.now() */
  readonly now?: number;
  /** Freeze the clock: time moves only through advanceClock/setClock. @default false */
  readonly frozenClock?: boolean;
  /** Accepted bearer tokens. @default any non-empty token */
  readonly tokens?: readonly string[];
  /**
   * Apps and their tokens: rate limits are counted per app across all its tokens (X counts an app
   * bearer's limits per app). A token in no app is an app of its own. @default none
   */
  readonly apps?: Readonly<Record<string, readonly string[]>>;
  /**
   * Compiled search queries kept in memory; raise it to run thousands of distinct queries without
   * recompiling (bare `from:user` queries need no entry: they read the author index). @default 256
   */
  readonly queryCacheSize?: number;
  /** Requests per window per endpoint and app (see `apps`). @default DEFAULT_RATE_LIMITS */
  readonly rateLimits?: Partial<Record<EndpointKey, number>>;
  /** Rate-limit window length in seconds. @default 900 */
  readonly windowSeconds?: number;
  /** search/all requests per second (0 = unlimited). @default 1 */
  readonly searchAllPerSecond?: number;
  /** Monthly post-read cap (usage-capped 429 beyond it). @default 10_000_000 */
  readonly usageCap?: number;
  /**
   * Pay-per-use credits, in posts: beyond them post reads answer 402 CreditsDepleted. A post read
   * again the same UTC day is free. @default unlimited
   */
  readonly credits?: number;
  /** Posts published per second by the live world (0 = none). @default 0 */
  readonly publishRate?: number;
  /** Fraction of published posts that become visible late. @default 0.05 */
  readonly lateArrivalFraction?: number;
  /** Lateness of late arrivals, ms after creation. @default 60_000 */
  readonly lateArrivalMs?: number;
  /** Search sees posts up to now minus this when no end_time is given. @default 30_000 */
  readonly searchDelayMs?: number;
  /** Scripted and random faults. @default none */
  readonly faults?: FaultOptions;
  /** Request-log entries kept (oldest dropped first). @default 10_000 */
  readonly requestLogLimit?: number;
}

/** Defaults of {@link EmulatorOptions}. */
export const EMULATOR_DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  seed: 1,
  posts: 10_000,
  windowSeconds: 900,
  searchAllPerSecond: 1,
  usageCap: 10_000_000,
  publishRate: 0,
  lateArrivalFraction: 0.05,
  lateArrivalMs: 60_000,
  searchDelayMs: 30_000,
  requestLogLimit: 10_000,
  queryCacheSize: 256,
} as const;

/** One entry of the request log. */
export interface RequestLogEntry {
  readonly seq: number;
  /** Emulated time of the request, ISO 8601. */
  readonly at: string;
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  readonly endpoint?: EndpointKey;
  readonly status: number;
  readonly fault?: string;
  /** Posts served. */
  readonly served: number;
  /** Posts billed: those served and not read yet the same UTC day. @default 0 */
  readonly billed?: number;
}

/** A post to publish explicitly. */
export interface PublishPost {
  readonly text: string;
  /** Author username. @default a random user */
  readonly author?: string;
  /** @default 'en' */
  readonly lang?: string;
  /** Become visible only after lateArrivalMs. @default false */
  readonly late?: boolean;
}

/** Arguments of `publish`: either `count` generated posts or explicit `posts`. */
export interface PublishRequest {
  readonly count?: number;
  readonly posts?: readonly PublishPost[];
}

/** A published post as reported back. */
export interface PublishedPost {
  readonly id: string;
  readonly text: string;
  readonly author_id: string;
  readonly visible_at: string;
}

/** Ground-truth question: what a client paging this endpoint would collect, now. */
export interface GroundTruthRequest {
  readonly endpoint: 'search_recent' | 'search_all' | 'user_tweets' | 'user_mentions';
  readonly query?: string;
  readonly user_id?: string;
  readonly since_id?: string;
  readonly until_id?: string;
  readonly start_time?: string;
  readonly end_time?: string;
  /** For user_tweets: 'replies', 'retweets' or both comma-separated. */
  readonly exclude?: string;
}

/** New limits (all optional). */
export interface LimitsUpdate {
  readonly rateLimits?: Partial<Record<EndpointKey, number>>;
  readonly windowSeconds?: number;
  readonly searchAllPerSecond?: number;
  readonly usageCap?: number;
}

/** A listening emulator and its programmatic admin handle. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:43123` (API under `/2/`, admin under `/_emulator/`). */
  readonly url: string;
  readonly port: number;
  /** Stops the publisher, drops hanging requests and closes the server. */
  close(): Promise<void>;
  publish(request: PublishRequest): PublishedPost[];
  groundTruth(request: GroundTruthRequest): string[];
  setFaults(options: FaultOptions): void;
  setLimits(update: LimitsUpdate): void;
  /** Sets the pay-per-use credit balance in posts (`balance`, null = unlimited) or adds to it. */
  setCredits(update: { readonly balance?: number | null; readonly add?: number }): void;
  /** The credit balance in posts (undefined = unlimited). */
  credits(): number | undefined;
  /** Current emulated time, epoch ms. */
  now(): number;
  setClock(ms: number): number;
  advanceClock(ms: number): number;
  /** See `EmulatorController.reset`. */
  reset(world?: { seed?: number; posts?: number }): void;
  requestLog(): readonly RequestLogEntry[];
  statusCounts(): Record<number, number>;
  /** Users of the world (id, username, post and mention counts). */
  users(): { id: string; username: string; posts: number; mentions: number }[];
}
