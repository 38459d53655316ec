/**
 * Issue 17: the CPU the JSON logger costs per page of a drain. Logs `--pages` pages of the CLI's
 * per-page lines (one `api_call`, four `batch`, one `checkpoint_update`, through a child logger with
 * `correlation_id` and `stream`, as composePoll builds it) and prints the CPU per 1,000 pages, median
 * of 9 repetitions after a warm-up. `--to null` builds the lines only; `--to stderr` also writes them
 * to process.stderr as the CLI does (redirect it: `2>/dev/null` or `2>file`).
 *
 *   node --import tsx bench/json-logger.ts [--to stderr|null] [--pages 1000] 2>/tmp/log
 */
import { parseArgs } from 'node:util';
import { JsonLogger } from '../src/adapters/observability/json-logger.js';

const { values } = parseArgs({ options: { to: { type: 'string' }, pages: { type: 'string' } } });
const to = values.to ?? 'stderr';
const pages = Number(values.pages ?? 1000);
const stream = to === 'null' ? { write: (_line: string) => true } : process.stderr;
const root = new JsonLogger({ stream, level: 'info', secrets: ['bench-token-abcdef'] });
const log = root
  .child({ correlation_id: '0b5c2a8e-8d3e-4c6b-9a0f-1c2d3e4f5a6b' })
  .child({ stream: 'default' });

function page(i: number): void {
  log.log('info', 'api_call', {
    endpoint: '/2/tweets/search/recent',
    status: 200,
    result_count: 100,
    duration_ms: 12,
    rate_limit_remaining: 449 - (i % 400),
    reset_at: '2026-12-01T15:30:00.000Z',
  });
  for (let b = 0; b < 4; b++)
    log.log('info', 'batch', { stream: 'default', batch_id: `b-${i}-${b}`, count: 25 });
  log.log('info', 'checkpoint_update', { since_id: '1864000000000000000', pages: 1, tweets: 100 });
}

for (let i = 0; i < pages; i++) page(i);
const cpu: number[] = [];
for (let rep = 0; rep < 9; rep++) {
  const start = process.cpuUsage();
  for (let i = 0; i < pages; i++) page(i);
  const used = process.cpuUsage(start);
  cpu.push(((used.user + used.system) / 1000) * (1000 / pages));
}
cpu.sort((a, b) => a - b);
console.log(
  `json logger (${to}): CPU per 1,000 pages of 6 lines, median of 9: ${cpu[4]?.toFixed(1)} ms (min ${cpu[0]?.toFixed(1)}, max ${cpu[8]?.toFixed(1)})`,
);
