/**
 * Issue 12: the cost of spend accounting per page. Records `--pages` pages of `--size` new post ids
 * through a SpendLedger on a temp SQLite file, with the credits-flag read the poll loop makes before
 * each request, and prints the wall and CPU time per 1,000 pages.
 *
 *   node --import tsx bench/spend-ledger.ts [--pages 1000] [--size 100] [--reps 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteSpendLedger } from '../src/adapters/stores/sqlite-spend-ledger.js';

const { values } = parseArgs({
  options: { pages: { type: 'string' }, size: { type: 'string' }, reps: { type: 'string' } },
});
const pages = Number(values.pages ?? 1000);
const size = Number(values.size ?? 100);
const reps = Number(values.reps ?? 5);

const results: { wallMs: number; cpuMs: number }[] = [];
for (let rep = 0; rep < reps; rep++) {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-ledger-'));
  const ledger = new SqliteSpendLedger({ path: join(dir, 'state.db') });
  let id = 1_900_000_000_000_000_000n;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let p = 0; p < pages; p++) {
    await ledger.creditsDepletedAt();
    const ids = Array.from({ length: size }, () => String(id--));
    await ledger.recordRead('bench', ids, '2026-12-01');
  }
  const used = process.cpuUsage(cpu);
  results.push({ wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const per1000 = 1000 / pages;
console.log(
  `spend ledger (SQLite): ${pages} pages of ${size} ids, ${reps} reps; median per 1,000 pages: wall ${(median(results.map((r) => r.wallMs)) * per1000).toFixed(0)} ms, CPU ${(median(results.map((r) => r.cpuMs)) * per1000).toFixed(0)} ms`,
);
