/**
 * Issue 17 part 2: before/after of the drain path's pure steps in one process. Extracts src/core of
 * an older commit (`git archive`) into a temp directory, fetches `--posts` posts as pages from an
 * emulator process once, then times validatePage and splitIntoBatches of that commit and of the
 * working tree, alternated, in process CPU time (user + system). Checks first that both give the
 * same batches.
 *
 *   node --max-semi-space-size=4 --import tsx bench/drain-path-ab.ts --old <commit> [--posts 10000] [--reps 15]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as nowBatching from '../src/core/batching.js';
import * as nowValidation from '../src/core/page-validation.js';
import type { TweetPage } from '../src/core/ports/x-api.js';
import { collectPages } from './drain-path.js';
import { ROOT } from './lib/contenders.js';

const { values } = parseArgs({
  options: { old: { type: 'string' }, posts: { type: 'string' }, reps: { type: 'string' } },
});
if (values.old === undefined) throw new Error('--old <commit> is required');
const reps = Number(values.reps ?? 15);

const dir = mkdtempSync(join(tmpdir(), 'tp-drain-ab-'));
try {
  const archive = execFileSync('git', ['archive', values.old, 'src/core'], { cwd: ROOT });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const oldBatching = (await import(join(dir, 'src/core/batching.ts'))) as typeof nowBatching;
  const oldValidation = (await import(join(dir, 'src/core/page-validation.ts'))) as typeof nowValidation;

  const bodies = (await collectPages(Number(values.posts ?? 10_000))).map(
    (raw) => JSON.parse(gunzipSync(raw).toString('utf8')) as TweetPage,
  );
  const bounds = { sinceId: '1', untilId: '9223372036854775807' };
  const options = { stream: 's', correlationId: 'c', batchSize: 25 };
  const batches = (split: typeof nowBatching.splitIntoBatches) =>
    JSON.stringify(bodies.map((b) => split(b.data ?? [], b.includes, options)));
  if (batches(oldBatching.splitIntoBatches) !== batches(nowBatching.splitIntoBatches))
    throw new Error('the two commits cut different batches');

  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const steps: Record<string, () => void> = {
    'validatePage old': () => {
      for (const b of bodies) oldValidation.validatePage(b, 'search_recent', bounds);
    },
    'validatePage new': () => {
      for (const b of bodies) nowValidation.validatePage(b, 'search_recent', bounds);
    },
    'splitIntoBatches old': () => {
      for (const b of bodies) oldBatching.splitIntoBatches(b.data ?? [], b.includes, options);
    },
    'splitIntoBatches new': () => {
      for (const b of bodies) nowBatching.splitIntoBatches(b.data ?? [], b.includes, options);
    },
  };
  const spent = new Map<string, number[]>();
  for (let r = 0; r < reps; r++) {
    for (const [name, run] of Object.entries(steps)) {
      const t = cpuMs();
      for (let i = 0; i < 10; i++) run();
      spent.set(name, [...(spent.get(name) ?? []), ((cpuMs() - t) / (10 * bodies.length)) * 1000]);
    }
  }
  process.stdout.write(
    `${bodies.length} pages, ${reps} reps, CPU ms per 1,000 pages (median, min-max)\n\n| step | median | min | max |\n|---|---:|---:|---:|\n`,
  );
  for (const [name, xs] of spent) {
    const s = [...xs].sort((a, b) => a - b);
    const at = (i: number) => (s[i] ?? Number.NaN).toFixed(1);
    process.stdout.write(`| ${name} | ${at(Math.floor(s.length / 2))} | ${at(0)} | ${at(s.length - 1)} |\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
