/**
 * The package as npm users get it: `npm pack`, installed into an empty directory, run on Node 20
 * and Node 22. The install runs with --ignore-scripts, which is what npm's install-script policy
 * does by default from npm 12 on: better-sqlite3 is then not built. On Node 22 the default store
 * still works (node:sqlite); on Node 20 the CLI says how to fix it, and works once the native
 * module is there (here: the prebuilt better_sqlite3.node of this checkout, which is built for the
 * Node 20 ABI, copied in as prebuild-install would download it). The install is --offline: every
 * dependency and its metadata come from npm's cache, which `npm ci` of this checkout filled (the
 * lockfile records no tarball URLs, so npm ci fetches and caches each package's metadata), and
 * nothing is asked of the registry.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { timeMsToId } from '../../src/core/ids.js';
import { collect } from '../cli/run-cli.js';
import { node22 } from './node22.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'tarball-test-token';
const QUERY = 'coffee OR music';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

describe('the npm package', () => {
  let dir: string;
  let pack: PackResult;
  let bin: string;
  let emulator: RunningEmulator;
  let since: string;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'twitter-poller.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does) first');
    }
    dir = await mkdtemp(join(tmpdir(), 'tp-tarball-'));
    // --ignore-scripts: no `prepare` rebuild of dist/ under the feet of the other test files.
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    pack = (JSON.parse(out) as PackResult[])[0]!;
    const app = join(dir, 'app');
    mkdirSync(app);
    execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore' });
    const install = spawnSync(
      'npm',
      ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, pack.filename)],
      { cwd: app, encoding: 'utf8', timeout: 300_000 },
    );
    if (install.status !== 0) throw new Error(`npm ci of the tarball failed: ${install.stderr}`);
    bin = join(app, 'node_modules', 'twitter-poller', 'dist', 'twitter-poller.js');
    emulator = await startEmulator({
      seed: 3,
      posts: 800,
      searchDelayMs: 0,
      lateArrivalFraction: 0,
      tokens: [TOKEN],
    });
    since = timeMsToId(emulator.now() - 2 * 86_400_000);
    process.stderr.write(
      `tarball: ${pack.filename} ${pack.size} bytes packed, ${pack.unpackedSize} bytes unpacked, ${pack.files.length} files\n`,
    );
  }, 600_000);
  afterAll(async () => {
    await emulator?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** `node <bin> args` in its own state directory (async: the emulator runs in this process). */
  const run = async (node: string, args: string[], state: string) => {
    const result = await collect(
      spawn(node, [bin, ...args], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          XDG_STATE_HOME: join(dir, state),
          X_BEARER_TOKEN: TOKEN,
          X_API_BASE_URL: emulator.url,
        },
      }),
      60_000,
    );
    return { status: result.code, stdout: result.stdout, stderr: result.stderr };
  };
  const poll = (node: string, state: string) =>
    run(
      node,
      ['poll', '--query', QUERY, '--initial', since, '--min-interval', '0', '--sink', `jsonl:${state}.jsonl`],
      state,
    );

  it('ships the CLI, docs, LICENSE and CHANGELOG, and neither the Lambda bundle nor source maps, in under 2 MB', () => {
    const paths = pack.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']));
    expect(paths).toEqual(
      expect.arrayContaining(['dist/twitter-poller.js', 'dist/cli.js', 'docs/streams.schema.json']),
    );
    expect(paths.filter((p) => /lambda\.mjs|\.map$|^src\/|^test\//.test(p))).toEqual([]);
    expect(pack.unpackedSize).toBeLessThan(2 * 1024 * 1024);
  });

  it('has a launcher that BusyBox env accepts: `#!/usr/bin/env node`, no `env -S` in any shipped script', () => {
    expect(readFileSync(bin, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    const installed = join(dir, 'app', 'node_modules', 'twitter-poller', 'dist');
    const scripts = readdirSync(installed, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    );
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of scripts)
      expect(readFileSync(join(installed, file), 'utf8'), file).not.toMatch(/env -S/);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  it('installs the AWS SDK clients the CLI uses, and not the Lambda-only Powertools and SSM client', () => {
    const modules = join(dir, 'app', 'node_modules');
    expect(existsSync(join(modules, '@aws-sdk', 'client-dynamodb'))).toBe(true);
    expect(existsSync(join(modules, '@aws-lambda-powertools'))).toBe(false);
    expect(existsSync(join(modules, '@aws-sdk', 'client-ssm'))).toBe(false);
  });

  it('on Node 22: --version, and a poll into the default store with better-sqlite3 unbuilt (node:sqlite)', async () => {
    const node = node22();
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v22\./);

    const version = await run(node, ['--version'], 'n22');
    const first = await poll(node, 'n22');
    const second = await poll(node, 'n22');

    expect(version.stdout.trim()).toBe(pkg.version);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `created a new checkpoint store at ${join(dir, 'n22', 'twitter-poller', 'state.db')}`,
    );
    expect(first.stderr).not.toContain('ExperimentalWarning');
    const delivered = readFileSync(join(dir, 'n22.jsonl'), 'utf8').trim().split('\n').length;
    expect(delivered).toBe(
      emulator.groundTruth({ endpoint: 'search_recent', query: QUERY, since_id: since }).length,
    );
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('created a new checkpoint store');
  });

  it('on Node 20: says how to fix an unbuilt better-sqlite3, then polls once the native module is there', async () => {
    const node = process.execPath;
    expect(process.versions.node).toMatch(/^20\./);

    const version = await run(node, ['-v'], 'n20');
    const broken = await poll(node, 'n20');
    const addon = join('build', 'Release', 'better_sqlite3.node');
    const target = join(dir, 'app', 'node_modules', 'better-sqlite3', addon);
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(join(ROOT, 'node_modules', 'better-sqlite3', addon), target);
    const fixed = await poll(node, 'n20');

    expect(version.stdout.trim()).toBe(pkg.version);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(
      /no SQLite library could be loaded.*npm rebuild better-sqlite3.*Node 22\.13/,
    );
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'n20.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });
});
