/**
 * `twitter-poller migrate --store dynamodb:<table> [--apply] [--skip-corrupt]`: lists what adopting
 * the old poller's table does to every item (dry run by default) and, with --apply, adopts them
 * before the first scheduled run. Corrupt items stop it (exit 2, nothing written) unless
 * --skip-corrupt leaves them alone. docs/upgrade.md is the runbook.
 */
import type { Writable } from 'node:stream';
import type { MigrateConfig } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { ExitCode } from './poll-command.js';
import { textTable } from './text-table.js';

function table(entries: readonly { stream: string | null; action: string; detail: string }[]): string {
  if (entries.length === 0) return 'the table is empty: nothing to adopt\n';
  const header = ['STREAM', 'ACTION', 'DETAIL'];
  const cells = entries.map((e) => [e.stream ?? '(no key)', e.action, e.detail]);
  return textTable(header, cells);
}

/** Runs `migrate`; resolves with the exit code (0, or 2 for corrupt items without --skip-corrupt). */
export async function runMigrate(
  config: MigrateConfig,
  io: { stdout: Writable & { isTTY?: boolean }; stderr: Writable },
): Promise<number> {
  const { planMigration, applyMigration } = await import('../adapters/stores/dynamodb-migration.js');
  const options = { tableName: config.store.table, layout: config.dynamodbLayout };
  let plan: Awaited<ReturnType<typeof planMigration>>;
  let result: typeof plan;
  let refuse: boolean;
  try {
    plan = await planMigration(options);
    refuse = plan.some((e) => e.action === 'corrupt') && !config.skipCorrupt;
    result = config.apply && !refuse ? await applyMigration(plan, options) : plan;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // AWS refused or failed (access denied, throttled past the SDK's retries): items adopted so far
    // stay adopted, the rest are untouched; running it again carries on.
    io.stderr.write(
      `twitter-poller: migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return ExitCode.failure;
  }
  const corrupt = plan.filter((e) => e.action === 'corrupt');
  const done = config.apply && !refuse;
  const verb = (action: string) => (action === 'adopt' ? (done ? 'adopted' : 'will adopt') : action);
  const rows = result.map((e) => ({
    stream: e.stream,
    action: verb(e.action),
    detail:
      e.action === 'corrupt'
        ? (e.reason ?? '')
        : e.action === 'adopt'
          ? `${e.from}: resumes after since_id ${e.since_id}`
          : e.action === 'current'
            ? `since_id ${e.since_id}`
            : 'no checkpoint yet (lease only)',
  }));
  const counts = Object.fromEntries(
    (['adopt', 'current', 'new', 'corrupt'] as const).map((a) => [
      a,
      plan.filter((e) => e.action === a).length,
    ]),
  );
  if (config.json || io.stdout.isTTY !== true) {
    for (const e of result)
      io.stdout.write(`${JSON.stringify({ ...e, applied: done && e.action === 'adopt' })}\n`);
    io.stdout.write(`${JSON.stringify({ summary: counts, applied: done, table: config.store.table })}\n`);
  } else {
    io.stdout.write(table(rows));
  }
  const layout = `key "${config.dynamodbLayout.keyAttribute}", legacy since_id "${config.dynamodbLayout.legacySinceIdAttribute}"`;
  if (refuse) {
    io.stderr.write(
      `twitter-poller: ${corrupt.length} corrupt item(s) in ${config.store.table} (${layout}); nothing was written. Fix or reset them, or pass --skip-corrupt to leave them alone.\n`,
    );
    return ExitCode.usage;
  }
  io.stderr.write(
    done
      ? `twitter-poller: adopted ${counts.adopt} item(s) of ${config.store.table} (${layout}).\n`
      : `twitter-poller: dry run: ${counts.adopt} item(s) of ${config.store.table} to adopt (${layout}); run again with --apply to adopt them.\n`,
  );
  return ExitCode.ok;
}
