/**
 * `twitter-poller report`: reads the run history of the store and writes one self-contained HTML
 * file. A missing store, or one without runs in the period, is a usage error (exit 2) that says so.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { ReportConfig, StoreLocation } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import type { RunRecord } from '../core/ports/run-history.js';
import { renderReport } from '../report/html.js';
import { buildReportModel } from '../report/model.js';
import { openRunHistory } from './run-history.js';

/** How a store location is written on the command line. */
export function describeStore(location: StoreLocation): string {
  return location.kind === 'sqlite'
    ? `sqlite:${location.path}`
    : location.kind === 'dynamodb'
      ? `dynamodb:${location.table}`
      : 'memory:';
}

/** The report of `runs` (oldest first) as HTML; the period spans the runs themselves. */
export function reportHtml(runs: readonly RunRecord[], store: string, nowMs: number): string {
  const first = Date.parse((runs[0] as RunRecord).started_at);
  const last = Math.max(...runs.map((r) => Date.parse(r.started_at) + r.duration_ms));
  return renderReport(buildReportModel(runs, first, Math.max(last, first + 1000)), {
    store,
    generatedMs: nowMs,
  });
}

/** Writes the report; resolves with the exit code (0, or throws a ConfigError the CLI turns into 2). */
export async function runReport(config: ReportConfig, stdout: Writable, nowMs = Date.now()): Promise<number> {
  const store = describeStore(config.store);
  const key = config.dynamodbLayout?.keyAttribute;
  const history = await openRunHistory(config.store, {
    readonly: true,
    ...(key === undefined ? {} : { keyAttribute: key }),
  });
  let runs: RunRecord[];
  try {
    runs = await history.list({ sinceMs: nowMs - config.sinceMs });
    if (runs.length === 0) {
      const any = (await history.list({ limit: 1 })).length > 0;
      throw new ConfigError(
        any
          ? `invalid --since: ${store} has no run in that period (the newest is older); try a longer --since`
          : `invalid --store: ${store} has no run history yet (run "twitter-poller poll" with this store first)`,
        any ? '--since' : '--store',
      );
    }
  } finally {
    await history.close();
  }
  const html = reportHtml(runs, store, nowMs);
  const out = resolve(config.out);
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, html);
  await rename(tmp, out);
  const streams = new Set(runs.flatMap((r) => r.streams.map((s) => s.stream))).size;
  stdout.write(
    `report written: ${config.out} (${runs.length} run${runs.length === 1 ? '' : 's'}, ${streams} stream${streams === 1 ? '' : 's'}, ${Buffer.byteLength(html)} bytes)\n`,
  );
  return 0;
}
