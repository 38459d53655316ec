/**
 * The arithmetic of sharing one run between many streams, as pure functions (docs/architecture.md,
 * "Many streams: the scheduler").
 *
 *   posts   waterFill: max-min fair (water-filling) split of max_tweets, scaled by weight
 *
 *           share │      ┌───┐ level × weight (the water level rises until the budget is used)
 *                 │ ┌──┐ │   │ ┌──┐
 *                 │ │▒▒│ │   │ │  │      ▒ a stream that needed less (caught up, failed, skipped):
 *                 │ │▒▒│ │   │ │  │        fixed at what it took; the rest flows to the others
 *                 └─┴──┴─┴───┴─┴──┴──▶ streams
 *
 *   pages   pickNext: the next page goes to the stream with the smallest (pages + 1/2) / weight (the
 *           divisor rule of Sainte-Laguë, which keeps every stream within two pages of its weighted
 *           part at every moment); ties go to the earlier stream in priority order
 *   runs    nextLags: each stream's lag (posts per unit of weight it is behind the others) carries over,
 *           and the most behind is first in the next run's priority order
 */

/** One stream's claim on the post budget. */
export interface ShareClaim {
  /** @default 1 */
  readonly weight: number;
  /** What it has already delivered this run: its share never drops below it. */
  readonly floor: number;
  /** The most it can take: what it delivered once it is finished, else Infinity. */
  readonly cap: number;
}

function level(claim: ShareClaim, at: number): number {
  return Math.min(claim.cap, Math.max(claim.floor, at * claim.weight));
}

/**
 * The water level: the smallest `at` where the claims' levels sum to `target` (0 when their floors
 * already do). Each claim's level is `at × weight` clamped to [min(floor, cap), cap], so the sum is
 * piecewise linear in `at`: it rises by `weight` between floor / weight and cap / weight. One pass over
 * those breakpoints in order finds the segment and solves it, in O(n log n) (a bisection over all
 * claims costs 128 passes, and the scheduler refills at every change of a cap).
 */
function waterLevel(target: number, claims: readonly ShareClaim[]): number {
  let sum = 0;
  const events: { at: number; slope: number }[] = [];
  for (const c of claims) {
    const low = Math.min(c.floor, c.cap);
    sum += low;
    if (c.cap > low)
      events.push({ at: low / c.weight, slope: c.weight }, { at: c.cap / c.weight, slope: -c.weight });
  }
  if (sum >= target) return 0;
  events.sort((a, b) => a.at - b.at);
  let at = 0;
  let slope = 0;
  for (const e of events) {
    if (slope > 0 && sum + slope * (e.at - at) >= target) return at + (target - sum) / slope;
    sum += slope * (e.at - at);
    at = e.at;
    slope += e.slope;
  }
  // Every cap reached (target is at most their sum): the last breakpoint.
  return at;
}

/**
 * Splits `total` posts max-min fairly by weight (water-filling), in whole posts. Each claim gets at
 * least its floor and at most its cap; the total handed out is min(total, sum of caps) whenever the
 * floors fit in it. Posts left over by rounding go one at a time to the claims with the largest
 * fractional part, then to the earliest in the given order (the caller's priority).
 */
export function waterFill(total: number, claims: readonly ShareClaim[]): number[] {
  return [...fill(total, claims).shares];
}

/** One waterFill: its inputs, the water level it found, and the shares. */
export interface Fill {
  readonly total: number;
  readonly claims: readonly ShareClaim[];
  readonly level: number;
  readonly shares: readonly number[];
}

/** {@link waterFill}, keeping its inputs and level for {@link sameShares}. */
export function fill(total: number, claims: readonly ShareClaim[]): Fill {
  const caps = claims.reduce((sum, c) => sum + c.cap, 0);
  const target = Math.max(0, Math.min(total, caps));
  const low = waterLevel(target, claims);
  const exact = claims.map((c) => level(c, low));
  const shares = exact.map((x, i) => Math.max((claims[i] as ShareClaim).floor, Math.floor(x + 1e-9)));
  let left = target - shares.reduce((s, x) => s + x, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x + 1e-9) }))
    .sort((a, b) => (Math.abs(b.frac - a.frac) > 1e-9 ? b.frac - a.frac : a.i - b.i));
  // Each round hands out at least one post while any claim is below its cap: bounded by `left`.
  while (left > 0) {
    let given = 0;
    for (const { i } of order) {
      if (left === 0) break;
      if ((shares[i] as number) < (claims[i] as ShareClaim).cap) {
        shares[i] = (shares[i] as number) + 1;
        left--;
        given++;
      }
    }
    if (given === 0) break;
  }
  return { total, claims, level: low, shares };
}

/**
 * True when waterFill(total, claims) would return `last.shares` again, without running it: the same
 * total, weights and caps, and every floor that moved was and is at or below the whole posts of the
 * last level × weight (and the cap).
 * Such a floor binds nowhere the level search looks (every comparison of the search comes out the
 * same) nor in the rounding, so the result is identical, not merely close. In a drain every page
 * raises one floor; this spares the scheduler a search over every stream at each step.
 */
export function sameShares(last: Fill, total: number, claims: readonly ShareClaim[]): boolean {
  if (last.total !== total || last.claims.length !== claims.length) return false;
  return claims.every((c, i) => {
    const l = last.claims[i] as ShareClaim;
    if (l.weight !== c.weight || l.cap !== c.cap) return false;
    if (l.floor === c.floor) return true;
    // At or below the level's share of this claim (and its cap), whole posts: it binds nowhere.
    const top = Math.floor(Math.min(c.cap, last.level * c.weight));
    return l.floor <= top && c.floor <= top;
  });
}

/** A candidate for the next page. */
export interface PageClaim {
  /** Pages it has had this run. */
  readonly pages: number;
  readonly weight: number;
}

/**
 * The index of the claim that gets the next page: the smallest (pages + 1/2) / weight (weighted round
 * robin by the Sainte-Laguë divisor: tighter than the (pages + 1) / weight of fair queueing, whose
 * streams can fall more than two pages behind), the earliest on a tie. -1 when there is none.
 */
export function pickNext(claims: readonly PageClaim[]): number {
  let best = -1;
  let bestKey = Number.POSITIVE_INFINITY;
  claims.forEach((c, i) => {
    const key = (c.pages + 0.5) / c.weight;
    if (key < bestKey - 1e-12) {
      best = i;
      bestKey = key;
    }
  });
  return best;
}

/** How one stream's run went, for the carried-over lag. */
export interface RunService {
  readonly weight: number;
  readonly delivered: number;
  /** Stopped with posts still owed (budget, deadline, usage cap): it competed for the whole run. */
  readonly backlog: boolean;
  /** Caught up: it had all it wanted. */
  readonly caughtUp: boolean;
  /** The lag it started the run with. */
  readonly lag: number;
}

/** The lag is kept small and finite: a stream cannot bank credit without limit. */
const LAG_LIMIT = 1e9;

/**
 * Each stream's lag after a run, in posts per unit of weight. Among the streams that still had a
 * backlog, one that got less than the mean (weight-normalized) falls behind by the difference and one
 * that got more moves ahead, so the lags of competing streams sum to what they summed to before. A
 * stream that caught up owes nothing (0); a failed or skipped stream keeps its lag.
 */
export function nextLags(streams: readonly RunService[]): number[] {
  const competing = streams.filter((s) => s.backlog);
  const mean =
    competing.length === 0
      ? 0
      : competing.reduce((sum, s) => sum + s.delivered / s.weight, 0) / competing.length;
  return streams.map((s) => {
    if (s.caughtUp) return 0;
    if (!s.backlog) return s.lag;
    const lag = s.lag + mean - s.delivered / s.weight;
    return Math.max(-LAG_LIMIT, Math.min(LAG_LIMIT, Math.round(lag * 1000) / 1000));
  });
}

/** Jain's fairness index of `values` (1 when all are equal, 1/n when one has everything). */
export function jainIndex(values: readonly number[]): number {
  const sum = values.reduce((a, x) => a + x, 0);
  const squares = values.reduce((a, x) => a + x * x, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}
