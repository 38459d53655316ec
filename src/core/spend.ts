/**
 * Pay-per-use arithmetic, pure: UTC days, dollars from posts, the posts a budget still allows, and
 * the same-day re-read rule. X bills $0.005 per post read (FACTS.md) and a post read again within
 * the same UTC day is free, so a redelivered page or an overlap re-read costs nothing before
 * midnight and the full price after it.
 */

/**
 * Ids of posts one stream read on the current UTC day, remembered to price re-reads as free. Bounded:
 * past it the oldest are forgotten and a re-read of them is counted as billed, which can only
 * overstate the spend (a budget is then reached early, never passed). 1,000 covers the page in
 * flight plus the page read ahead on search/all (2 x 500), the re-reads that follow a crash or a stop.
 */
export const READ_IDS_KEPT = 1_000;

/** Budgets of the pay-per-use spend; an absent budget is no limit. */
export interface SpendOptions {
  /** USD per post read (the default: src/config/defaults.ts). */
  readonly pricePerPostUsd: number;
  /** USD the store's streams may spend per UTC day, all processes together. @default none */
  readonly maxSpendUsdPerDay?: number;
  /** USD per UTC calendar month. @default none */
  readonly maxSpendUsdPerMonth?: number;
}

/** `YYYY-MM-DD` of an epoch-ms time, in UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM` of a `YYYY-MM-DD` day. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** Dollars for `posts` at `price`, rounded to a hundredth of a cent (no float noise in logs). */
export function spendUsd(posts: number, price: number): number {
  return Math.round(posts * price * 10_000) / 10_000;
}

/** How many whole posts `usd` buys at `price` (a tiny epsilon keeps 0.015 / 0.005 at 3, not 2). */
export function postsForUsd(usd: number, price: number): number {
  if (price <= 0) return Number.POSITIVE_INFINITY;
  return Math.floor(usd / price + 1e-9);
}

/**
 * Posts the budgets still allow, given what the store says is billed today and this month
 * (Infinity without budgets). Never negative.
 */
export function postsAllowed(options: SpendOptions, billed: { day: number; month: number }): number {
  let room = Number.POSITIVE_INFINITY;
  const { pricePerPostUsd: price, maxSpendUsdPerDay: day, maxSpendUsdPerMonth: month } = options;
  if (day !== undefined) room = Math.min(room, postsForUsd(day, price) - billed.day);
  if (month !== undefined) room = Math.min(room, postsForUsd(month, price) - billed.month);
  return Math.max(0, room);
}

/**
 * The same-day rule on one stream's remembered reads: `ids` of a page are billed unless they are in
 * `readToday` (this stream's reads of the same UTC day). Returns the billed count and the remembered
 * ids after the page (newest reads last, bounded to {@link READ_IDS_KEPT}).
 */
export function billPage(
  readToday: readonly string[],
  ids: readonly string[],
): { billed: number; remembered: string[] } {
  const seen = new Set(readToday);
  let billed = 0;
  const remembered = [...readToday];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    billed++;
    remembered.push(id);
  }
  return { billed, remembered: remembered.slice(-READ_IDS_KEPT) };
}
