import type { Writable } from 'node:stream';
import type { StatusConfig } from '../config/types.js';
import type { Checkpoint } from '../core/ports/checkpoint-store.js';
import { type BudgetStatus, budgetTable, toBudgetStatus } from './budget-status.js';
import { openStore } from './compose.js';
import { openRateBudgetStore } from './rate-budget.js';

/** One stream's line of `twitter-poller status --json`. */
export interface StreamStatus {
  readonly stream: string;
  readonly since_id: string;
  /** The sweep in progress, or null when the stream is caught up to since_id. */
  readonly pending_sweep: {
    readonly newest_id: string;
    readonly until_id: string | null;
    readonly next_token: string | null;
  } | null;
  /** Human form of what is still owed: ids strictly between since_id and until_id. */
  readonly owed: string | null;
  readonly user_id: string | null;
  readonly updated_at: string;
  readonly writer: string;
}

export function toStatus(c: Checkpoint): StreamStatus {
  return {
    stream: c.stream,
    since_id: c.since_id,
    pending_sweep: c.sweep,
    owed:
      c.sweep === null
        ? null
        : `${c.since_id} < id < ${c.sweep.until_id ?? `${c.sweep.newest_id} (inclusive)`}`,
    user_id: c.user_id ?? null,
    updated_at: c.updated_at,
    writer: c.writer,
  };
}

function table(rows: readonly StreamStatus[]): string {
  if (rows.length === 0) return 'no checkpoints yet\n';
  const header = ['STREAM', 'SINCE_ID', 'PENDING SWEEP (still owed)', 'UPDATED_AT', 'WRITER'];
  const cells = rows.map((r) => [r.stream, r.since_id, r.owed ?? '-', r.updated_at, r.writer]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** `twitter-poller status`: reads the store, prints, exits 0. */
export async function runStatus(
  config: StatusConfig,
  stdout: Writable & { isTTY?: boolean },
): Promise<number> {
  const store = await openStore(config.store);
  try {
    const rows = (await store.list()).map(toStatus);
    const budget = await readBudget(config);
    const asJson = config.json || stdout.isTTY !== true;
    stdout.write(
      asJson
        ? `${JSON.stringify({ streams: rows, rate_budget: budget }, null, 2)}\n`
        : table(rows) + budgetTable(budget),
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** The shared rate budget of the store, one entry per endpoint (empty when none was written). */
async function readBudget(config: StatusConfig): Promise<BudgetStatus[]> {
  const budgets = await openRateBudgetStore(config.store, { readOnly: true });
  try {
    const now = Date.now();
    return (await budgets.list()).map((b) => toBudgetStatus(b, now));
  } finally {
    await budgets.close();
  }
}
