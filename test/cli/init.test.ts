import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseCliArgs } from '../../src/config/cli-args.js';
import type { PollConfig } from '../../src/config/types.js';
import { main } from '../../src/entrypoints/cli.js';
import { STREAMS_TEMPLATE } from '../../src/entrypoints/init-command.js';

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

describe('twitter-poller init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-init-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a commented streams file that poll accepts as written, and prints the next steps', async () => {
    const path = join(dir, 'streams.yaml');

    const result = await run(['init', path]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`twitter-poller poll --config ${path}`);
    expect(result.stdout).toContain('X_BEARER_TOKEN');
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(STREAMS_TEMPLATE);
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+streams\.schema\.json$/);
    const config = (await parseCliArgs(['poll', '--config', path], { X_BEARER_TOKEN: 't' })) as PollConfig;
    expect(config.streams.map((s) => s.name)).toEqual(['xdevs']);
    expect(config.run.timeBudgetMs).toBe(14 * 60_000);
  });

  it('leaves an existing file alone (exit 2) unless --force is given', async () => {
    const path = join(dir, 'mine.yaml');
    writeFileSync(path, 'streams:\n  - query: mine\n');

    const refused = await run(['init', path]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/mine\.yaml already exists \(use --force/);
    expect(readFileSync(path, 'utf8')).toBe('streams:\n  - query: mine\n');

    const forced = await run(['init', path, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(STREAMS_TEMPLATE);
  });

  it('writes a file that docs/streams.schema.json accepts', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../docs/streams.schema.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    const ok = validate(parseYaml(STREAMS_TEMPLATE));
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(ok).toBe(true);
  });
});
