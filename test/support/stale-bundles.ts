import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test workers are not always given the chance to clean up: drops the `<dir>/<prefix><pid>` bundles of
 * processes that are gone.
 */
export function removeStaleBundles(dir: string, prefix: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}
