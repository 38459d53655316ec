/**
 * Where a drain's wall time goes, request by request (issue 17): runs our CLI's drain, or the bare
 * node:http loop, against a fresh emulator process with bench/lib/request-trace.mjs loaded, and splits
 * the time from the first request to the last answer into "a request in flight" (the emulator, the
 * network, and this process when it is too busy to read the answer) and "none in flight" (this
 * process between an answer and the next request: what sits on the request path).
 *
 *   npm run build && node --import tsx bench/trace-drain.ts [--posts 100000] [--reps 2] [--cli dist/cli.js]
 *
 * Prints one line per run, alternating the CLI and the bare loop, launched exactly as bench/run.ts
 * launches them (its snapshot and contender commands). The hook adds a little to each request: compare
 * the two, not the absolute figures with bench/run.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BARE_HTTP, CLI, configureCli, prepareSnapshot, ROOT } from './lib/contenders.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { summarize, type Trace } from './lib/trace-summary.js';
import { BENCH_QUERY } from './lib/trial.js';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '2' },
    cli: { type: 'string', default: 'dist/cli.js' },
  },
});
const posts = Number(values.posts);
const cli = resolve(values.cli ?? 'dist/cli.js');
const HOOK = join(ROOT, 'bench/lib/request-trace.mjs');

async function main(): Promise<void> {
  configureCli({ path: cli });
  const cleanup = await prepareSnapshot(); // the same builds and commands as bench/run.ts
  const base = mkdtempSync(join(tmpdir(), 'tp-trace-'));
  try {
    for (let rep = 0; rep < Number(values.reps); rep++) {
      for (const contender of [CLI, BARE_HTTP]) {
        const dir = mkdtempSync(join(base, `${contender.id}-`));
        const emu = await startEmulatorProcess({
          posts,
          query: BENCH_QUERY,
          limit: 1_000_000_000,
          windowSeconds: 900,
          groundTruthFile: join(dir, 'truth.txt'),
        });
        const cmd = contender.command({
          url: emu.url,
          query: BENCH_QUERY,
          dir,
          out: join(dir, 'out.jsonl'),
          timeoutMs: 600_000,
        });
        const started = performance.now();
        const run = spawnSync(cmd.command, ['--import', HOOK, ...cmd.args], {
          env: { PATH: process.env.PATH ?? '', ...cmd.env, REQUEST_TRACE_OUT: join(dir, 'trace.json') },
          stdio: ['ignore', 'ignore', openSync(join(dir, 'stderr.log'), 'w')],
          timeout: cmd.timeoutMs,
        });
        const wallMs = performance.now() - started;
        await emu.stop();
        if (run.status !== 0) throw new Error(`${contender.id}: exit ${run.status} (see ${dir}/stderr.log)`);
        const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as Trace;
        console.log(
          JSON.stringify({ who: contender.id, wall_s: +(wallMs / 1000).toFixed(2), ...summarize(trace) }),
        );
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
    cleanup();
  }
}

await main();
