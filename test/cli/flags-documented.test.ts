/**
 * Every flag a command's parser accepts is in that command's --help and in docs/configuration.md,
 * so a new flag cannot land undocumented. The failure names what is missing where.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_OPTIONS } from '../../src/config/cli-args.js';
import { HELP } from '../../src/entrypoints/help.js';

const DOCS = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** `--name` as a whole flag: not the prefix of a longer one (`--retry` in `--retry-max`). */
const mentions = (text: string, flag: string) =>
  new RegExp(`(^|[^a-z0-9-])${flag.replace(/[-]/g, '\\-')}(?![a-z0-9-])`, 'm').test(text);

const flags = Object.entries(COMMAND_OPTIONS).flatMap(([command, options]) =>
  Object.entries(options).flatMap(([name, option]) => {
    const forms = [`--${name}`];
    if ('short' in option && typeof option.short === 'string') forms.push(`-${option.short}`);
    return forms.map((flag) => [command as keyof typeof COMMAND_OPTIONS, flag] as const);
  }),
);

describe('every flag the CLI parser accepts is documented', () => {
  it('finds flags to check (the parser tables are wired in)', () => {
    expect(flags.length).toBeGreaterThan(25);
  });

  it('appears in its command --help', () => {
    const missing = flags.filter(([command, flag]) => !mentions(HELP[command], flag));
    expect(
      missing.map(
        ([command, flag]) =>
          `${flag} is missing from "twitter-poller ${command} --help" (src/entrypoints/help.ts)`,
      ),
    ).toEqual([]);
  });

  it('appears in docs/configuration.md', () => {
    const missing = [...new Set(flags.map(([, flag]) => flag))].filter((flag) => !mentions(DOCS, flag));
    expect(missing.map((flag) => `${flag} is missing from docs/configuration.md`)).toEqual([]);
  });
});
