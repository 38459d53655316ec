/** The shared rate budget as `twitter-poller status` shows it: window, remaining, reset, holders. */
import type { BudgetState } from '../core/ports/rate-budget.js';
import { textTable } from './text-table.js';

/** One endpoint's line of the `rate_budget` list of `status --json`. */
export interface BudgetStatus {
  readonly endpoint: string;
  /** `x-rate-limit-limit` last seen, null before any response. */
  readonly limit: number | null;
  /** Requests left in the window after every slot granted; null when unknown. */
  readonly remaining: number | null;
  /** ISO-8601 reset of the current window, null when unknown or passed. */
  readonly reset_at: string | null;
  /** Every holder waits until then (a 429 or a spent window), null when not paused. */
  readonly paused_until: string | null;
  /** Who holds reserved, unused slots, and how many. */
  readonly holders: readonly {
    readonly holder: string;
    readonly slots: number;
    readonly next_slot_at: string;
  }[];
  readonly updated_at: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The status view of one budget record at `nowMs` (passed slots and windows are left out). */
export function toBudgetStatus(b: BudgetState, nowMs: number): BudgetStatus {
  const holders = Object.entries(b.holders)
    .map(([holder, h]) => ({ holder, slots: h.slots.filter((at) => at > nowMs) }))
    .filter((h) => h.slots.length > 0)
    .map((h) => ({ holder: h.holder, slots: h.slots.length, next_slot_at: iso(Math.min(...h.slots)) }));
  const windowOpen = b.resetAtMs !== null && b.resetAtMs > nowMs;
  return {
    endpoint: b.key,
    limit: b.limit,
    remaining: windowOpen ? b.remaining : b.limit,
    reset_at: windowOpen && b.resetAtMs !== null ? iso(b.resetAtMs) : null,
    paused_until: b.pausedUntilMs > nowMs ? iso(b.pausedUntilMs) : null,
    holders,
    updated_at: iso(b.updatedAtMs),
  };
}

/** The budget section of the terminal table (nothing when no budget was written). */
export function budgetTable(rows: readonly BudgetStatus[]): string {
  if (rows.length === 0) return '';
  const header = ['ENDPOINT', 'LIMIT', 'REMAINING', 'RESET_AT', 'PAUSED_UNTIL', 'HOLDERS'];
  const cells = rows.map((r) => [
    r.endpoint,
    String(r.limit ?? '-'),
    String(r.remaining ?? '-'),
    r.reset_at ?? '-',
    r.paused_until ?? '-',
    r.holders.length === 0 ? '-' : r.holders.map((h) => `${h.holder} (${h.slots})`).join(', '),
  ]);
  return `\nshared rate budget\n${textTable(header, cells)}`;
}
