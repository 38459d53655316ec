import type { Writable } from 'node:stream';
import { DEFAULTS } from '../config/defaults.js';
import type { StatusConfig } from '../config/types.js';
import type { Checkpoint } from '../core/ports/checkpoint-store.js';
import { duration, usd } from '../report/format.js';
import { type BudgetStatus, budgetTable, toBudgetStatus } from './budget-status.js';
import { openStore } from './compose.js';
import { openRateBudgetStore } from './rate-budget.js';
import { openSpendLedger } from './spend-ledger.js';
import { type LastRun, readLastRuns } from './status-history.js';
import { readSpendStatus, spendLines } from './status-spend.js';
import { textTable } from './text-table.js';

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
  /** The stream's last run from the run history (outcome, freshness lag, owed, spend); null when none is kept. */
  readonly last_run?: LastRun | null;
}

export function toStatus(c: Checkpoint, lastRun?: LastRun | null): StreamStatus {
  return {
    stream: c.stream,
    since_id: c.sinceId,
    pending_sweep:
      c.sweep === null
        ? null
        : { newest_id: c.sweep.newestId, until_id: c.sweep.untilId, next_token: c.sweep.nextToken },
    owed:
      c.sweep === null ? null : `${c.sinceId} < id < ${c.sweep.untilId ?? `${c.sweep.newestId} (inclusive)`}`,
    user_id: c.userId ?? null,
    updated_at: c.updatedAt,
    writer: c.writer,
    ...(lastRun === undefined ? {} : { last_run: lastRun }),
  };
}

function table(rows: readonly StreamStatus[]): string {
  if (rows.length === 0) return 'no checkpoints yet\n';
  const header = [
    'STREAM',
    'SINCE_ID',
    'PENDING SWEEP (still owed)',
    'LAST OUTCOME',
    'LAG',
    'OLDEST OWED',
    'SPEND TODAY',
    'UPDATED_AT',
    'WRITER',
  ];
  const cells = rows.map((r) => [
    r.stream,
    r.since_id,
    r.owed ?? '-',
    r.last_run?.outcome ?? '-',
    duration(r.last_run?.freshness_lag_seconds),
    duration(r.last_run?.owed_age_seconds),
    r.last_run?.spend_today_usd == null ? '-' : usd(r.last_run.spend_today_usd),
    r.updated_at,
    r.writer,
  ]);
  return textTable(header, cells);
}

/** `twitter-poller status`: reads the store (read-only: it creates and changes nothing), prints, exits 0. */
export async function runStatus(
  config: StatusConfig,
  io: { readonly stdout: Writable & { isTTY?: boolean }; readonly stderr?: Writable },
): Promise<number> {
  const { stdout } = io;
  const store = await openStore(config.store, {
    readOnly: true,
    layout: config.dynamodbLayout,
    notice: (text) => io.stderr?.write(`twitter-poller: ${text}\n`),
  });
  const ledger = await openSpendLedger(config.store, {
    readonly: true,
    keyAttribute: config.dynamodbLayout?.keyAttribute,
  });
  try {
    const last = await readLastRuns(config.store, Date.now(), config.dynamodbLayout?.keyAttribute);
    const rows = (await store.list()).map((c) => toStatus(c, last.get(c.stream) ?? null));
    const spend = await readSpendStatus(
      ledger,
      Date.now(),
      config.pricePerPostUsd ?? DEFAULTS.pricePerPostUsd,
    );
    const budget = await readBudget(config);
    const asJson = config.json || stdout.isTTY !== true;
    stdout.write(
      asJson
        ? `${JSON.stringify({ streams: rows, spend, rate_budget: budget }, null, 2)}\n`
        : table(rows) + spendLines(spend) + budgetTable(budget),
    );
    return 0;
  } finally {
    await ledger.close();
    await store.close();
  }
}

/** The shared rate budget of the store, one entry per endpoint (empty when none was written). */
async function readBudget(config: StatusConfig): Promise<BudgetStatus[]> {
  let budgets: Awaited<ReturnType<typeof openRateBudgetStore>>;
  try {
    budgets = await openRateBudgetStore(config.store, {
      readOnly: true,
      keyAttribute: config.dynamodbLayout?.keyAttribute,
    });
  } catch {
    return []; // no store file yet: no budget either (status never creates one)
  }
  try {
    const now = Date.now();
    return (await budgets.list()).map((b) => toBudgetStatus(b, now));
  } finally {
    await budgets.close();
  }
}
