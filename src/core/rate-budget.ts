/**
 * The rules of the app-wide rate budget, as pure functions over one endpoint's {@link BudgetState}.
 * The same rules as the per-process RateLimiter, applied to the whole app: slots are handed out in
 * order, each at least `nextAtMs`, so two holders never pace from different views of the window.
 *
 *   used/limit:  0 ─────────── 80 % ──────────────── 100 % ─┬─ reset ──▶ refilled to `limit`
 *                 min interval  │ remaining slots spread    │  wait for the reset (+ margin)
 *                 (and 1 s on   │ evenly until the reset    │
 *                 search/all)   │                           │
 *
 * - A slot granted is counted at once (`remaining - 1`); a holder gives back what it did not use.
 * - A response's headers correct the estimate: a new window replaces it, the same window can only
 *   lower it (responses arrive out of order across holders; the lowest remaining is the freshest).
 * - Unknown window (nothing observed yet, or the reset has passed): one probe slot, and everyone
 *   else waits for its headers (at most `probeWaitMs`). A window is never refilled on the clock
 *   alone: the reset header is rounded up to the second, so requests sent in the last second of
 *   what looks like the old window may already count in the new one; the probe's headers say.
 * - A 429, an exhausted window or 24-hour limit pauses every holder until its reset.
 */
import { type BudgetState, type Holding, RECENT_SLOTS, type Slot } from './ports/rate-budget.js';
import { Endpoint } from './ports/x-api.js';
import { SEARCH_ALL_INTERVAL_MS } from './retry.js';

/** The app-wide pacing rules. */
export interface BudgetRules {
  /** Minimum time between two requests to one endpoint, whole app. @default 1000 */
  readonly minIntervalMs: number;
  /** Share of the window used before pacing starts. @default 0.8 */
  readonly pacingThreshold: number;
  /** Added after a reset before the next slot. @default 1000 */
  readonly resetMarginMs: number;
  /** How long others wait for a probe's headers. @default 1000 */
  readonly probeWaitMs: number;
}

/**
 * search/all's 1 request per second, with slack: slots are spaced in send time and the API counts
 * arrivals, which network jitter can bring a little closer.
 */
export const SEARCH_ALL_SLOT_MS = SEARCH_ALL_INTERVAL_MS + 50;

/** How often a holder waiting for another's probe looks again. */
export const PROBE_POLL_MS = 25;

/** What one response told about the window (local-clock instants). */
export interface BudgetObservation {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAtMs: number;
  /** When the response arrived. */
  readonly receivedAtMs: number;
  /** When its request was sent (the earliest of the holder's requests then in flight). */
  readonly sentAtMs: number;
  /**
   * `granted` of the record as this holder last saw it before the response arrived: when the
   * record's recent slots do not reach back to `sentAtMs`, every slot granted since counts as late.
   */
  readonly grantedBefore: number;
  /** No request before this instant (a 24-hour limit spent). */
  readonly pauseUntilMs?: number;
}

/** A budget nobody has used yet. */
export function emptyBudget(key: string, nowMs: number): BudgetState {
  return {
    key,
    limit: null,
    remaining: null,
    resetAtMs: null,
    nextAtMs: 0,
    pausedUntilMs: 0,
    probe: null,
    granted: 0,
    recent: [],
    lastHolder: null,
    holders: {},
    updatedAtMs: nowMs,
  };
}

/** Drops slots whose instant has passed: used, or lost with a holder that died (a slot due now may still be unsent). */
function prune(state: BudgetState, nowMs: number): BudgetState {
  const holders: Record<string, Holding> = {};
  for (const [name, h] of Object.entries(state.holders)) {
    const slots = h.slots.filter((at) => at >= nowMs);
    if (slots.length > 0) holders[name] = { slots, updatedAtMs: h.updatedAtMs };
  }
  return { ...state, holders };
}

/** Applies one response's headers to the budget. */
export function observe(
  state: BudgetState,
  obs: BudgetObservation,
  nowMs: number,
  rules: BudgetRules,
): BudgetState {
  let s = prune(state, nowMs);
  // Headers of a response that arrived after the probe was sent end the probe's wait.
  const probe = s.probe !== null && obs.receivedAtMs > s.probe.atMs ? null : s.probe;
  s = {
    ...s,
    limit: obs.limit,
    probe,
    pausedUntilMs: Math.max(s.pausedUntilMs, obs.pauseUntilMs ?? 0),
  };
  if (obs.resetAtMs <= nowMs) return s; // a response from a window that has already passed
  // Headers are applied late (on the holder's next round trip): every slot due after the request
  // was sent may have reached the server after it answered, so none of those is in `remaining`.
  const oldest = s.recent[0];
  let late = 0;
  if (oldest !== undefined && oldest <= obs.sentAtMs) {
    for (const at of s.recent) if (at > obs.sentAtMs) late++;
  } else {
    late = Math.max(s.recent.length, s.granted - obs.grantedBefore);
  }
  const fresh = Math.max(0, obs.remaining - late);
  const newWindow =
    s.remaining === null ||
    s.resetAtMs === null ||
    s.resetAtMs <= nowMs ||
    obs.resetAtMs > s.resetAtMs + 1_000;
  s = newWindow
    ? { ...s, remaining: fresh, resetAtMs: obs.resetAtMs }
    : {
        ...s,
        remaining: Math.min(s.remaining ?? fresh, fresh),
        // Every holder's estimate is at or after the true reset (see SharedRateBudget.observe):
        // the earliest is the closest.
        resetAtMs: Math.min(s.resetAtMs ?? obs.resetAtMs, obs.resetAtMs),
      };
  if (obs.remaining <= 0) {
    // Spent (or a 429): nobody before the reset.
    s = { ...s, pausedUntilMs: Math.max(s.pausedUntilMs, obs.resetAtMs + rules.resetMarginMs) };
  }
  return s;
}

/** Options of {@link grantSlots}. */
export interface GrantRequest {
  readonly holder: string;
  /** Most slots to grant. */
  readonly want: number;
  /** Later slots are granted only within this long after the first. */
  readonly horizonMs: number;
  readonly nowMs: number;
}

/** Grants up to `want` slots to `holder`, in order after every slot granted before. */
export function grantSlots(
  state: BudgetState,
  request: GrantRequest,
  rules: BudgetRules,
): { state: BudgetState; slots: Slot[]; retryAtMs?: number } {
  const { holder, want, horizonMs, nowMs } = request;
  const s = prune(state, nowMs);
  if (s.probe !== null && s.probe.untilMs > nowMs) {
    // Another holder's probe is out: nothing to hand out before its headers tell the window.
    const retryAtMs = Math.min(s.probe.untilMs, Math.max(nowMs, s.probe.atMs) + PROBE_POLL_MS);
    return { state, slots: [], retryAtMs };
  }
  let { remaining, resetAtMs, nextAtMs, pausedUntilMs, probe } = s;
  const { limit } = s;
  const searchAll = s.key.startsWith(Endpoint.searchAll);
  const slots: Slot[] = [];
  let nextReason: Slot['reason'] = nextAtMs > nowMs ? 'min_interval' : 'none';
  for (let i = 0; i < want; i++) {
    let at = nowMs;
    let reason: Slot['reason'] = 'none';
    if (nextAtMs > at) [at, reason] = [nextAtMs, nextReason];
    if (pausedUntilMs > at) [at, reason] = [pausedUntilMs, 'exhausted'];
    if (remaining !== null && remaining <= 0 && resetAtMs !== null && resetAtMs > at) {
      [at, reason] = [resetAtMs + rules.resetMarginMs, 'exhausted'];
    }
    // Past the reset (or never seen): the window is unknown until a probe's headers arrive.
    if (resetAtMs !== null && at >= resetAtMs) [remaining, resetAtMs] = [null, null];
    const first = slots[0];
    if (first !== undefined && at > first.atMs + horizonMs) break;
    const isProbe = limit === null || remaining === null || resetAtMs === null;
    if (isProbe && i > 0) break;
    let spacing = searchAll ? Math.max(rules.minIntervalMs, SEARCH_ALL_SLOT_MS) : rules.minIntervalMs;
    if (isProbe) {
      slots.push({ atMs: at, reason, probe: true });
      probe = { atMs: at, untilMs: at + rules.probeWaitMs };
      nextAtMs = at + spacing;
      break;
    }
    slots.push({ atMs: at, reason, ...(resetAtMs === null ? {} : { validUntilMs: resetAtMs }) });
    const left = (remaining ?? 0) - 1;
    remaining = left;
    nextReason = 'min_interval';
    if (limit !== null && limit > 0 && resetAtMs !== null && left > 0) {
      if ((limit - left) / limit >= rules.pacingThreshold) {
        // Spread what is left evenly over the time to reset.
        const pace = Math.ceil((resetAtMs - at) / left);
        if (pace > spacing) [spacing, nextReason] = [pace, 'pacing'];
      }
    }
    nextAtMs = at + spacing;
  }
  const mine = s.holders[holder]?.slots ?? [];
  const holders = {
    ...s.holders,
    [holder]: { slots: [...mine, ...slots.map((x) => x.atMs)], updatedAtMs: nowMs },
  };
  return {
    state: {
      ...s,
      remaining,
      resetAtMs,
      nextAtMs,
      pausedUntilMs,
      probe,
      granted: s.granted + slots.length,
      recent: [...s.recent, ...slots.map((x) => x.atMs)].slice(-RECENT_SLOTS),
      lastHolder: holder,
      holders,
      updatedAtMs: nowMs,
    },
    slots,
  };
}

/** Gives back slots `holder` will not use: they count again, and end the schedule if they ended it. */
export function giveBack(
  state: BudgetState,
  holder: string,
  unused: readonly number[],
  nowMs: number,
): BudgetState {
  const s = prune(state, nowMs);
  const held = s.holders[holder];
  if (held === undefined) return s;
  const returned = unused.filter((at) => at >= nowMs && held.slots.includes(at));
  const holders: Record<string, Holding> = { ...s.holders };
  const left = held.slots.filter((at) => !returned.includes(at));
  if (left.length > 0) holders[holder] = { slots: left, updatedAtMs: nowMs };
  else delete holders[holder];
  let { remaining, nextAtMs, probe } = s;
  if (remaining !== null && returned.length > 0) {
    remaining = Math.min(s.limit ?? Number.POSITIVE_INFINITY, remaining + returned.length);
  }
  // A probe given back unsent tells nothing: let the next holder probe at once.
  if (probe !== null && returned.includes(probe.atMs)) probe = null;
  if (s.lastHolder === holder && returned.length > 0) nextAtMs = Math.max(nowMs, Math.min(...returned));
  return { ...s, remaining, nextAtMs, probe, holders, updatedAtMs: nowMs };
}
