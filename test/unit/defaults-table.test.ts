/**
 * The defaults table (src/config/defaults.ts + settings.ts) is what `--help`, docs/configuration.md
 * and the parsers say: each default's value is in the help of the flag that sets it and in the
 * docs' row of that flag and of its Lambda variable, the docs' generated block is current, and the
 * CLI parser and the Lambda environment apply the table's values. A failure names the setting.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/config/cli-args.js';
import { DEFAULT_RUN_OPTIONS, DEFAULTS, type SettingName } from '../../src/config/defaults.js';
import { readLambdaEnv } from '../../src/config/lambda-env.js';
import { DOCS_MARKERS, defaultsMarkdown, SETTINGS, shown } from '../../src/config/settings.js';
import type { PollConfig } from '../../src/config/types.js';
import { HELP } from '../../src/entrypoints/help.js';

const DOCS = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const NAMES = Object.keys(DEFAULTS) as SettingName[];
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The help lines of `flag` in one topic: its line and the indented lines that continue it. */
function helpEntry(topic: string, flag: string): string | undefined {
  const lines = topic.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^ {2}(-\\w, )?${escapeRegExp(flag)}(?![\\w-])`).test(l));
  if (at < 0) return undefined;
  const more = lines.slice(at + 1).findIndex((l) => !/^\s{20,}\S/.test(l));
  return lines.slice(at, more < 0 ? undefined : at + 1 + more).join('\n');
}

/** The rows of `text`'s tables whose first cell starts with `` `name`` (a flag or a variable). */
function docsRows(name: string, text = DOCS): string[] {
  const pattern = new RegExp(`^\\|\\s*\`${escapeRegExp(name)}[\` ]`);
  return text.split('\n').filter((l) => pattern.test(l));
}
const LAMBDA_DOCS = DOCS.slice(DOCS.indexOf('## AWS Lambda'));

const withFlag = NAMES.filter((n) => SETTINGS[n].flag !== undefined);
const withEnv = NAMES.filter((n) => SETTINGS[n].env !== undefined);

describe('the defaults table', () => {
  it('finds settings to check on every surface', () => {
    expect(withFlag.length).toBeGreaterThan(20);
    expect(withEnv.length).toBeGreaterThan(12);
  });

  it.each(withFlag)('%s: its value is in the --help of its flag', (name) => {
    const flag = SETTINGS[name].flag as string;
    // Where a command requires the flag (migrate --store), its help has no default to show.
    const entries = Object.values(HELP)
      .flatMap((topic) => helpEntry(topic, flag) ?? [])
      .filter((entry) => !entry.includes('(required'));
    expect(entries, `${flag} has no line in any --help`).not.toEqual([]);
    const saysDefault = new RegExp(`default [^)]*${escapeRegExp(shown(name, 'flag'))}(?![\\w.])`);
    expect(
      entries.filter((entry) => saysDefault.test(entry)),
      `${flag}: "default ${shown(name, 'flag')}" missing from\n${entries.join('\n')}`,
    ).toEqual(entries);
  });

  it.each(withFlag)('%s: its value is in the docs row of its flag', (name) => {
    const flag = SETTINGS[name].flag as string;
    const rows = docsRows(flag);
    expect(rows, `no row for ${flag} in docs/configuration.md`).not.toEqual([]);
    for (const row of rows) expect(row, flag).toContain(`\`${shown(name, 'flag')}\``);
  });

  it.each(withEnv)('%s: its value is in the docs row of its Lambda variable', (name) => {
    const env = SETTINGS[name].env as string;
    const rows = docsRows(env, LAMBDA_DOCS);
    expect(rows, `no row for ${env} in docs/configuration.md`).toHaveLength(1);
    expect(rows[0], env).toContain(`\`${shown(name, 'env')}\``);
  });

  it('is the generated block of docs/configuration.md (run `npm run docs` after a change)', () => {
    const start = DOCS.indexOf(DOCS_MARKERS.start);
    const end = DOCS.indexOf(DOCS_MARKERS.end);
    expect(start).toBeGreaterThan(0);
    expect(DOCS.slice(start + DOCS_MARKERS.start.length, end).trim()).toBe(defaultsMarkdown());
  });

  it('names each config key once, and the docs list it', () => {
    const keys = NAMES.flatMap((n) => SETTINGS[n].key ?? []);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(DOCS, key).toContain(`\`${key}\``);
  });
});

describe('the parsers apply the table', () => {
  it('poll without settings runs on the table values', async () => {
    const config = (await parseCliArgs(['poll', '--query', 'q', '--store', 'memory:'], {
      X_BEARER_TOKEN: 't',
    })) as PollConfig;
    expect(config.run).toEqual({
      ...DEFAULT_RUN_OPTIONS,
      // A short budget keeps a quarter in hand; 14 minutes keep the table's margin.
      finalCommitReserveMs: Math.min(DEFAULTS.finalCommitReserveMs, DEFAULTS.timeBudgetMs / 4),
    });
    expect(config).toMatchObject({
      sink: { kind: 'stdout' },
      apiBaseUrl: DEFAULTS.apiBaseUrl,
      logLevel: DEFAULTS.logLevel,
      concurrency: DEFAULTS.concurrency,
      rateBudget: DEFAULTS.rateBudget,
      payloadFormat: DEFAULTS.payloadFormat,
      invocationType: DEFAULTS.invocationType,
      dynamodbLayout: {
        keyAttribute: DEFAULTS.dynamodbKey,
        legacySinceIdAttribute: DEFAULTS.legacySinceIdAttribute,
      },
    });
    expect(config.streams[0]).toMatchObject({
      initial: { kind: DEFAULTS.initial },
      overlapSeconds: DEFAULTS.overlapMs / 1000,
      weight: DEFAULTS.weight,
    });
  });

  it('the Lambda returns the same run options type, from the same table', () => {
    const config = readLambdaEnv({
      CHECKPOINT_TABLE: 'checkpoints',
      BEARER_TOKEN_PARAMETER: '/p/token',
      SINK: 'lambda:parser',
      STREAMS: '[{"query":"q"}]',
    });
    expect(config.run).toEqual({
      ...DEFAULT_RUN_OPTIONS,
      timeBudgetMs: 900_000 - DEFAULTS.stopBeforeTimeoutMs,
    });
    expect(config).toMatchObject({
      apiBaseUrl: DEFAULTS.apiBaseUrl,
      stopBeforeTimeoutMs: DEFAULTS.stopBeforeTimeoutMs,
      parameterMaxAgeSeconds: DEFAULTS.parameterMaxAgeMs / 1000,
      payloadLimitBytes: DEFAULTS.payloadLimitBytes,
      logLevel: DEFAULTS.logLevel,
      payloadFormat: DEFAULTS.payloadFormat,
      invocationType: DEFAULTS.invocationType,
    });
  });

  it('the Lambda and the CLI read the same value of a shared setting', async () => {
    const cli = (await parseCliArgs(['poll', '--query', 'q', '--store', 'memory:', '--lease-ttl', '2m'], {
      X_BEARER_TOKEN: 't',
    })) as PollConfig;
    const lambda = readLambdaEnv({
      CHECKPOINT_TABLE: 'checkpoints',
      BEARER_TOKEN_PARAMETER: '/p/token',
      SINK: 'lambda:parser',
      STREAMS: '[{"query":"q"}]',
      LEASE_TTL_MS: '2m',
    });
    expect(lambda.run.leaseTtlMs).toBe(120_000);
    expect(cli.run.leaseTtlMs).toBe(lambda.run.leaseTtlMs);
  });
});
