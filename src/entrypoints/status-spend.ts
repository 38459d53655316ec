/** Issue 12: the spend part of `twitter-poller status`: today's and this month's bill and the credits flag. */
import type { SpendLedger } from '../core/ports/spend-ledger.js';
import { spendUsd, utcDay } from '../core/spend.js';

/** The `spend` object of `status --json`. */
export interface SpendStatus {
  /** The UTC day the figures are for. */
  readonly day: string;
  readonly price_per_post_usd: number;
  readonly posts_billed_today: number;
  readonly spend_usd_today: number;
  readonly posts_billed_month: number;
  readonly spend_usd_month: number;
  /** Posts billed today per stream. */
  readonly streams_today: readonly {
    readonly stream: string;
    readonly posts: number;
    readonly spend_usd: number;
  }[];
  /** When the API last answered 402 CreditsDepleted (not yet cleared by a successful probe), else null. */
  readonly credits_depleted_at: string | null;
}

/** Reads the spend figures of the UTC day of `nowMs`. */
export async function readSpendStatus(
  ledger: SpendLedger,
  nowMs: number,
  price: number,
): Promise<SpendStatus> {
  const day = utcDay(nowMs);
  const totals = await ledger.totals(day);
  const streams = await ledger.streamsOnDay(day);
  return {
    day,
    price_per_post_usd: price,
    posts_billed_today: totals.dayPosts,
    spend_usd_today: spendUsd(totals.dayPosts, price),
    posts_billed_month: totals.monthPosts,
    spend_usd_month: spendUsd(totals.monthPosts, price),
    streams_today: streams.map((s) => ({ ...s, spend_usd: spendUsd(s.posts, price) })),
    credits_depleted_at: await ledger.creditsDepletedAt(),
  };
}

/** The human lines printed under the status table. */
export function spendLines(s: SpendStatus): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const lines = [
    `spend today (${s.day} UTC): ${s.posts_billed_today} posts billed, ${usd(s.spend_usd_today)}; this month: ${s.posts_billed_month} posts, ${usd(s.spend_usd_month)} ($${s.price_per_post_usd} per post)`,
  ];
  if (s.credits_depleted_at !== null) {
    lines.push(
      `credits: DEPLETED since ${s.credits_depleted_at} (HTTP 402): top up the credits; the next poll makes one probe request`,
    );
  }
  return `${lines.join('\n')}\n`;
}
