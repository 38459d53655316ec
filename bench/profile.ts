/**
 * Profiles our CLI on a drain:
 * `node --import tsx bench/profile.ts [--posts N] [--top K] [--cli path/to/cli.js] [-- extra CLI flags]`.
 * Runs `node --cpu-prof dist/cli.js poll ...` against a fresh emulator process and prints the top
 * self-time functions (file:line function) and the share of idle time, from the .cpuprofile.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI, configureCli, ROOT } from './lib/contenders.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { BENCH_QUERY } from './lib/trial.js';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One row of the self-time summary. */
export interface HotFunction {
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

const maps = new Map<string, SourceMap | undefined>();

/** Maps a bundled position back to its source file and line through the bundle's .map, if any. */
function original(path: string, line: number, column: number): string | undefined {
  if (!maps.has(path)) {
    const mapFile = `${path}.map`;
    maps.set(
      path,
      existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined,
    );
  }
  const entry = maps.get(path)?.findEntry(line, column) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource === undefined || entry.originalLine === undefined) return undefined;
  const source = entry.originalSource.startsWith('file://')
    ? fileURLToPath(entry.originalSource)
    : resolve(dirname(path), entry.originalSource);
  return `${relative(ROOT, source)}:${entry.originalLine + 1}`;
}

function frameName(f: CpuProfileNode['callFrame']): string {
  let where = f.url === '' ? '(native)' : `${f.url}:${f.lineNumber + 1}`;
  if (f.url.startsWith('file://')) {
    const path = fileURLToPath(f.url);
    where = original(path, f.lineNumber, f.columnNumber) ?? `${relative(ROOT, path)}:${f.lineNumber + 1}`;
  }
  return `${f.functionName || '(anonymous)'} ${where}`;
}

/**
 * Self time of the native function `name`, charged to its nearest caller in the project's own code
 * (src/ or the dist bundle mapped to src/), so a native hot spot gets a file:function to fix.
 */
export function nativeCallers(profile: CpuProfile, name: string): { where: string; ms: number }[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node === undefined || node.callFrame.functionName !== name || node.callFrame.url !== '') return;
    let up = parent.get(id);
    let where: string | undefined;
    let firstJs: string | undefined;
    for (let hops = 0; up !== undefined && hops < 200; hops++, up = parent.get(up)) {
      const f = byId.get(up)?.callFrame;
      if (f === undefined) break;
      const label = frameName(f);
      if (firstJs === undefined && f.url !== '') firstJs = label;
      if (/ src\//.test(label) || / bench\//.test(label)) {
        where = label;
        break;
      }
    }
    where ??= firstJs === undefined ? '(no JS caller)' : `${firstJs} (no src/ frame on the stack)`;
    out.set(where, (out.get(where) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...out.entries()].map(([where, ms]) => ({ where, ms })).sort((a, b) => b.ms - a.ms);
}

/** Self time per function (grouped by name, file and line, mapped to source), most expensive first. */
export function summarizeProfile(profile: CpuProfile): { total: number; rows: HotFunction[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const f = byId.get(id)?.callFrame;
    if (f === undefined) return;
    let where = f.url === '' ? '(native)' : `${f.url}:${f.lineNumber + 1}`;
    if (f.url.startsWith('file://')) {
      const path = fileURLToPath(f.url);
      where = original(path, f.lineNumber, f.columnNumber) ?? `${relative(ROOT, path)}:${f.lineNumber + 1}`;
    }
    const key = `${f.functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const rows = [...self.entries()]
    .map(([where, selfMs]) => ({ where, selfMs, share: selfMs / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { total, rows };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { posts: { type: 'string' }, top: { type: 'string' }, cli: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.cli !== undefined) configureCli({ path: resolve(values.cli) });
  const posts = Number(values.posts ?? 100_000);
  const top = Number(values.top ?? 25);
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-prof-'));
  const emulator = await startEmulatorProcess({
    posts,
    query: BENCH_QUERY,
    limit: 1_000_000_000,
    windowSeconds: 900,
    groundTruthFile: join(dir, 'ground-truth.txt'),
  });
  try {
    const cmd = CLI.command({
      url: emulator.url,
      query: BENCH_QUERY,
      dir,
      out: join(dir, 'out.jsonl'),
      timeoutMs: 900_000,
      cliFlags: positionals,
    });
    const profDir = join(dir, 'prof');
    const started = performance.now();
    // stderr goes to a file: the CLI logs a line per batch, more than spawnSync's pipe buffer holds.
    const logFile = join(dir, 'cli.log');
    const logFd = openSync(logFile, 'w');
    const r = spawnSync(cmd.command, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...cmd.args], {
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', 'ignore', logFd],
      timeout: cmd.timeoutMs,
    });
    closeSync(logFd);
    const wall = performance.now() - started;
    if (r.status !== 0)
      throw new Error(`CLI exited ${r.status}: ${readFileSync(logFile, 'utf8').slice(-500)}`);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('no .cpuprofile written');
    const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
    const { total, rows } = summarizeProfile(profile);
    const idle = rows.filter((x) => x.where.startsWith('(idle)')).reduce((a, x) => a + x.selfMs, 0);
    process.stdout.write(
      `CLI drain of ${posts} posts: wall ${(wall / 1000).toFixed(2)} s, profiled ${(total / 1000).toFixed(2)} s, ` +
        `idle ${(idle / 1000).toFixed(2)} s (${((idle / total) * 100).toFixed(0)}%: waiting on the network, the emulator, fsync in the thread pool)\n\n` +
        '| self ms | share | function file:line |\n|---:|---:|---|\n',
    );
    for (const x of rows.slice(0, top)) {
      process.stdout.write(`| ${x.selfMs.toFixed(0)} | ${(x.share * 100).toFixed(1)}% | \`${x.where}\` |\n`);
    }
    const natives = rows
      .slice(0, top)
      .filter((x) => x.where.endsWith(' (native)') && !/^\((idle|garbage collector|program)\)/.test(x.where))
      .slice(0, 4);
    for (const x of natives) {
      const name = x.where.slice(0, -' (native)'.length);
      const callers = nativeCallers(profile, name).slice(0, 4);
      process.stdout.write(
        `\n${name}: ${callers.map((c) => `${c.ms.toFixed(0)} ms under \`${c.where}\``).join('; ')}\n`,
      );
    }
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
