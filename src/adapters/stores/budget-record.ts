/**
 * The budget record as stored (JSON text in SQLite and DynamoDB), and its validation on read: a
 * record that does not parse is replaced by an empty budget rather than trusted, which only costs a
 * probe request (the next response's headers rebuild it).
 */

import type { BudgetState, Holding } from '../../core/ports/rate-budget.js';
import { emptyBudget } from '../../core/rate-budget.js';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function probeOf(v: unknown): BudgetState['probe'] {
  const at = num((v as { atMs?: unknown } | null)?.atMs);
  const until = num((v as { untilMs?: unknown } | null)?.untilMs);
  return at === null || until === null ? null : { atMs: at, untilMs: until };
}

/** Serializes a budget record. */
export function encodeBudget(state: BudgetState): string {
  return JSON.stringify(state);
}

/** Parses a stored record of `key`; anything malformed becomes an empty budget. */
export function decodeBudget(key: string, text: string, nowMs: number): BudgetState {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return emptyBudget(key, nowMs);
  }
  if (raw === null || typeof raw !== 'object') return emptyBudget(key, nowMs);
  const holders: Record<string, Holding> = {};
  const rawHolders = raw.holders;
  if (rawHolders !== null && typeof rawHolders === 'object') {
    for (const [name, h] of Object.entries(rawHolders as Record<string, unknown>)) {
      const slots = (h as { slots?: unknown })?.slots;
      const updated = num((h as { updatedAtMs?: unknown })?.updatedAtMs);
      if (!Array.isArray(slots) || updated === null) continue;
      holders[name] = { slots: slots.filter((x): x is number => num(x) !== null), updatedAtMs: updated };
    }
  }
  return {
    key,
    limit: num(raw.limit),
    remaining: num(raw.remaining),
    resetAtMs: num(raw.resetAtMs),
    nextAtMs: num(raw.nextAtMs) ?? 0,
    pausedUntilMs: num(raw.pausedUntilMs) ?? 0,
    probe: probeOf(raw.probe),
    granted: num(raw.granted) ?? 0,
    recent: Array.isArray(raw.recent) ? raw.recent.filter((x): x is number => num(x) !== null) : [],
    lastHolder: typeof raw.lastHolder === 'string' ? raw.lastHolder : null,
    holders,
    updatedAtMs: num(raw.updatedAtMs) ?? nowMs,
  };
}
