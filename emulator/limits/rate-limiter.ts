import type { EndpointKey } from '../api/index.js';

/** Rate-limit state reported in the `x-rate-limit-*` headers. */
export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch seconds. */
  readonly reset: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests per window per endpoint and token. */
  readonly limits: Readonly<Record<EndpointKey, number>>;
  /** Window length in seconds. @default 900 */
  readonly windowSeconds: number;
  /** Requests per second allowed on search/all (0 disables the check). @default 1 */
  readonly searchAllPerSecond: number;
  /**
   * Token -> app. Limits are counted per app across all its tokens, as X counts app-bearer limits
   * per project app. A token not listed is an app of its own. @default every token its own app
   */
  readonly appOfToken?: ReadonlyMap<string, string>;
}

interface Window {
  start: number;
  used: number;
  lastAt: number;
}

/**
 * Fixed windows per (endpoint, app) that start at the first request, like X's. The search/all
 * per-second limit is separate and invisible in the headers. An app is the set of tokens
 * `appOfToken` maps to one name; by default each token is its own app.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(public options: RateLimiterOptions) {}

  private window(endpoint: EndpointKey, token: string, now: number): Window {
    const app = this.options.appOfToken?.get(token) ?? `token:${token}`;
    const key = `${endpoint}\u0000${app}`;
    let w = this.windows.get(key);
    if (w === undefined || now >= w.start + this.options.windowSeconds * 1000) {
      w = { start: now, used: 0, lastAt: -Infinity };
      this.windows.set(key, w);
    }
    return w;
  }

  private state(endpoint: EndpointKey, w: Window): RateLimitState {
    const limit = this.options.limits[endpoint];
    return {
      limit,
      remaining: Math.max(0, limit - w.used),
      reset: Math.ceil((w.start + this.options.windowSeconds * 1000) / 1000),
    };
  }

  /** Counts one request; `allowed` is false when it must get a 429. */
  take(endpoint: EndpointKey, token: string, now: number): { allowed: boolean; state: RateLimitState } {
    const w = this.window(endpoint, token, now);
    const limit = this.options.limits[endpoint];
    const perSecond = this.options.searchAllPerSecond;
    if (w.used >= limit) return { allowed: false, state: this.state(endpoint, w) };
    if (endpoint === 'search_all' && perSecond > 0 && now - w.lastAt < 1000 / perSecond) {
      return { allowed: false, state: this.state(endpoint, w) };
    }
    w.used++;
    w.lastAt = now;
    return { allowed: true, state: this.state(endpoint, w) };
  }

  /** Current state without counting a request. */
  peek(endpoint: EndpointKey, token: string, now: number): RateLimitState {
    return this.state(endpoint, this.window(endpoint, token, now));
  }

  /** Forgets every window. */
  reset(): void {
    this.windows.clear();
  }
}
