import { BadRequest, DEFAULT_RATE_LIMITS, readParams } from '../api/index.js';
import { type FaultOptions, FaultPlan } from '../faults/index.js';
import { Billing, RateLimiter, UsageMeter } from '../limits/index.js';
import {
  EMULATOR_DEFAULTS,
  type EmulatorOptions,
  type GroundTruthRequest,
  type LimitsUpdate,
  type PublishedPost,
  type PublishRequest,
  type RequestLogEntry,
} from '../options.js';
import { pageDown, type Selection, searchSelection, timelineSelection } from '../query/index.js';
import {
  analyzeText,
  appendGeneratedPost,
  EmulatorClock,
  generateWorld,
  LANG_CODES,
  PostFlag,
} from '../world/index.js';
import { EmulatorState } from './live-state.js';

/** Thrown by {@link EmulatorController.groundTruth} for a request the API would reject with a 400. */
export class GroundTruthError extends Error {
  constructor(readonly body: string) {
    super(`the API would reject this request: ${body}`);
    this.name = 'GroundTruthError';
  }
}

/** Token -> app name, from `apps` (app -> tokens). A token listed in two apps is a usage error. */
export function appsByToken(apps: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [app, tokens] of Object.entries(apps)) {
    for (const token of tokens) {
      const other = out.get(token);
      if (other !== undefined && other !== `app:${app}`)
        throw new Error(`token is listed in two apps: ${other.slice(4)} and ${app}`);
      out.set(token, `app:${app}`);
    }
  }
  return out;
}

/** The world and its knobs, shared by the HTTP server, the admin API and the programmatic handle. */
export class EmulatorController {
  readonly state: EmulatorState;
  readonly log: RequestLogEntry[] = [];
  readonly statusCounts = new Map<number, number>();
  private seq = 0;
  private seed: number;
  private postCount: number;
  /** Limits and cap given at start: `reset()` restores them (setLimits changes do not survive it). */
  private readonly startLimits: RateLimiter['options'];
  private readonly startUsage: UsageMeter['options'];

  constructor(private readonly options: EmulatorOptions) {
    const o = { ...EMULATOR_DEFAULTS, ...options };
    const clock = new EmulatorClock(options.now, options.frozenClock ?? false);
    this.seed = o.seed;
    this.postCount = o.posts;
    this.startLimits = {
      limits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
      windowSeconds: o.windowSeconds,
      searchAllPerSecond: o.searchAllPerSecond,
      appOfToken: appsByToken(options.apps ?? {}),
    };
    this.startUsage = { cap: o.usageCap };
    const world = generateWorld({
      seed: o.seed,
      posts: o.posts,
      now: clock.now(),
      ...(o.users ? { users: o.users } : {}),
    });
    this.state = new EmulatorState(
      world,
      clock,
      new RateLimiter(this.startLimits),
      new UsageMeter(this.startUsage),
      new FaultPlan(options.faults),
      {
        lateArrivalFraction: o.lateArrivalFraction,
        lateArrivalMs: o.lateArrivalMs,
        searchDelayMs: o.searchDelayMs,
      },
      o.queryCacheSize,
    );
    this.state.billing = new Billing(options.credits);
  }

  /** Sets the credit balance in posts (`balance`, null = unlimited) or tops it up (`add`). */
  setCredits(update: { readonly balance?: number | null; readonly add?: number }): void {
    this.state.billing.setBalance(update);
  }

  /** Current emulated time, epoch ms. */
  now(): number {
    return this.state.clock.now();
  }

  /** Publishes generated (`count`) or explicit posts at the current time; returns them. */
  publish(request: PublishRequest): PublishedPost[] {
    const { world, clock, settings } = this.state;
    const now = clock.now();
    const out: number[] = [];
    const count = Math.min(request.count ?? 0, 100_000);
    for (let n = 0; n < count; n++) {
      const late = world.rng.chance(settings.lateArrivalFraction);
      out.push(appendGeneratedPost(world, now, late ? now + settings.lateArrivalMs : now));
    }
    for (const post of request.posts ?? []) {
      const author =
        post.author === undefined
          ? world.rng.int(world.users.users.length)
          : world.users.indexOfUsername(post.author);
      if (author === undefined) throw new Error(`unknown author username: ${post.author}`);
      const analysis = analyzeText(post.text);
      const mentions = [
        ...new Set(analysis.usernames.map((u) => world.users.indexOfUsername(u) ?? -1)),
      ].filter((u) => u >= 0);
      const lang = LANG_CODES.indexOf((post.lang ?? 'en') as (typeof LANG_CODES)[number]);
      out.push(
        world.posts.append(
          {
            ms: now,
            author,
            text: post.text,
            lang: lang < 0 ? LANG_CODES.indexOf('und') : lang,
            flags: analysis.flags & ~PostFlag.retweet,
            ref: -1,
            replyTo: -1,
            mentions,
            visibleAt: post.late ? now + settings.lateArrivalMs : now,
            editOf: 0n,
          },
          world.rng.int(1 << 22),
        ),
      );
    }
    return out.map((i) => ({
      id: world.posts.idOf(i),
      text: world.posts.text[i]!,
      author_id: world.users.users[world.posts.author[i]!]!.id,
      visible_at: new Date(world.posts.visibleAt[i]!).toISOString(),
    }));
  }

  private selection(request: GroundTruthRequest, now: number): Selection {
    const search = new URLSearchParams();
    for (const name of ['query', 'since_id', 'until_id', 'start_time', 'end_time', 'exclude'] as const) {
      const v = request[name];
      if (v !== undefined) search.set(name, v);
    }
    const e = request.endpoint;
    if (e === 'search_recent' || e === 'search_all') {
      return searchSelection(
        this.state,
        e,
        readParams(search, ['query', 'since_id', 'until_id', 'start_time', 'end_time']),
        now,
      );
    }
    const params = readParams(search, ['since_id', 'until_id', 'start_time', 'end_time', 'exclude']);
    return timelineSelection(this.state, e, request.user_id ?? '', params, now);
  }

  /** Ids (newest first) a client paging this request to the end would collect from the visible set now. */
  groundTruth(request: GroundTruthRequest): string[] {
    const now = this.now();
    try {
      const sel = this.selection(request, now);
      const { items } = pageDown(
        this.state.world.posts,
        sel.list,
        sel.bounds,
        Number.POSITIVE_INFINITY,
        sel.accept,
      );
      return items.map((i) => this.state.world.posts.idOf(i));
    } catch (error) {
      if (error instanceof BadRequest) throw new GroundTruthError(error.response.body);
      throw error;
    }
  }

  /** Replaces the fault configuration (and restarts its request counting). */
  setFaults(options: FaultOptions): void {
    this.state.faults.configure(options);
  }

  /** Changes rate limits, window length, the search/all per-second limit or the usage cap. */
  setLimits(update: LimitsUpdate): void {
    const limiter = this.state.limiter;
    limiter.options = {
      ...limiter.options,
      limits: { ...limiter.options.limits, ...update.rateLimits },
      windowSeconds: update.windowSeconds ?? limiter.options.windowSeconds,
      searchAllPerSecond: update.searchAllPerSecond ?? limiter.options.searchAllPerSecond,
    };
    if (update.usageCap !== undefined) this.state.usage.options = { cap: update.usageCap };
  }

  /** Records one API request in the log and the per-status counts. */
  record(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.log.push({ seq: ++this.seq, ...entry });
    const limit = this.options.requestLogLimit ?? EMULATOR_DEFAULTS.requestLogLimit;
    // Trim in batches so a full log does not cost an O(limit) copy per request.
    if (this.log.length > limit + Math.ceil(limit / 4)) this.log.splice(0, this.log.length - limit);
    this.statusCounts.set(entry.status, (this.statusCounts.get(entry.status) ?? 0) + 1);
  }

  /**
   * Back to the start state: published posts dropped (and the publish PRNG rewound, so the same
   * publishes follow), limits, usage, faults, log and clock reset. With another `seed` or `posts`
   * the corpus is regenerated.
   */
  reset(world: { seed?: number; posts?: number } = {}): void {
    const s = this.state;
    s.clock.reset();
    s.limiter.reset();
    s.limiter.options = this.startLimits;
    s.usage.reset();
    s.usage.options = this.startUsage;
    s.billing.reset();
    s.faults.configure(this.options.faults ?? {});
    this.log.length = 0;
    this.statusCounts.clear();
    this.seq = 0;
    const seed = world.seed ?? this.seed;
    const posts = world.posts ?? this.postCount;
    if (seed !== this.seed || posts !== this.postCount) {
      this.seed = seed;
      this.postCount = posts;
      const users = this.options.users;
      s.replaceWorld(generateWorld({ seed, posts, now: s.clock.now(), ...(users ? { users } : {}) }));
    } else {
      s.world.posts.truncate(s.world.corpusCount);
      s.world.rng.restore(s.world.rngState);
      s.clearCaches();
    }
  }
}
