import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildLambda } from '../../scripts/lambda-bundle.mjs';
import { currentLambdaPath, ROOT } from './contenders.js';
import { median, rotate } from './stats.js';

/** One way of loading the Lambda handler module. */
export interface ColdStartVariant {
  readonly id: string;
  readonly label: string;
  /** Bytes on disk of what the runtime loads (the bundle, or the transpiled src tree). */
  readonly bytes: number;
  readonly files: number;
  /** Module init (import) times, ms of wall clock, one per fresh process. */
  readonly samples: number[];
  readonly medianMs: number;
  /** CPU (user + system) of the same imports, ms: what a busy machine inflates least. */
  readonly cpuSamples: number[];
  readonly medianCpuMs: number;
  readonly failure?: string;
}

function sizeOf(dir: string, filter: (f: string) => boolean): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (!filter(path)) continue;
    bytes += statSync(path).size;
    files++;
  }
  return { bytes, files };
}

/** Imports `target` in a fresh node process; the wall and CPU time of the import, ms, measured inside it. */
function importTime(target: string, nodeArgs: readonly string[]): { wall: number; cpu: number } {
  const code = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(target)}); const w = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(w + ' ' + (u.user + u.system) / 1000);`;
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0)
    throw new Error(`import of ${target} failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  const [wall, cpu] = r.stdout.trim().split(' ').map(Number);
  return { wall: wall!, cpu: cpu! };
}

/** Another Lambda bundle to measure in the same round-robin (`--lambda-variant NAME=PATH`). */
export interface ExtraBundle {
  readonly id: string;
  readonly path: string;
}

/**
 * Compares the shipped Lambda bundle (build/lambda/lambda.mjs) with the same bundle built with the
 * AWS SDK left external (the SDK then loads from node_modules, as it would from the runtime's copy),
 * with unbundled loading of the same source (an esbuild per-file transpile of src/, bundle: false,
 * node_modules resolved normally; and tsx on the fly), and with any `extra` bundles (e.g. an older
 * build). `runs` fresh processes per variant, interleaved.
 */
export async function measureColdStart(
  runs: number,
  log: (line: string) => void,
  extra: readonly ExtraBundle[] = [],
): Promise<ColdStartVariant[]> {
  const bundle = currentLambdaPath();
  const tmp = mkdtempSync(join(tmpdir(), 'tp-bench-cold-'));
  try {
    const srcFiles = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
      .map((e) => join(e.parentPath, e.name));
    await build({
      entryPoints: srcFiles,
      outdir: join(tmp, 'src'),
      outbase: join(ROOT, 'src'),
      bundle: false,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'error',
    });
    symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
    symlinkSync(join(ROOT, 'package.json'), join(tmp, 'package.json'));
    const transpiled = join(tmp, 'src/entrypoints/lambda.js');
    // Inside tmp, next to the node_modules link, so that the external SDK resolves.
    const sdkExternal = join(tmp, 'sdk-external/lambda.mjs');
    await buildLambda(join(tmp, 'sdk-external'), { sdkExternal: true });
    const src = join(ROOT, 'src/entrypoints/lambda.ts');
    const variants = [
      {
        id: 'bundle',
        label: 'build/lambda/lambda.mjs (shipped: esbuild bundle, minified, AWS SDK inside)',
        target: bundle,
        nodeArgs: [] as string[],
        ...(existsSync(bundle)
          ? { bytes: statSync(bundle).size, files: 1 }
          : { bytes: Number.NaN, files: 0 }),
      },
      {
        id: 'sdk-external',
        label: 'the same bundle with @aws-sdk/* and @smithy/* external (loaded from node_modules)',
        target: sdkExternal,
        nodeArgs: [] as string[],
        bytes: statSync(sdkExternal).size,
        files: 1,
      },
      ...extra.map((e) => ({
        id: e.id,
        label: `${e.id}: ${e.path}`,
        target: join(ROOT, e.path),
        nodeArgs: [] as string[],
        ...(existsSync(join(ROOT, e.path))
          ? { bytes: statSync(join(ROOT, e.path)).size, files: 1 }
          : { bytes: Number.NaN, files: 0 }),
      })),
      {
        id: 'unbundled-js',
        label: 'src/ transpiled file by file (esbuild, bundle: false) + node_modules',
        target: transpiled,
        nodeArgs: [] as string[],
        ...sizeOf(join(tmp, 'src'), (f) => f.endsWith('.js')),
      },
      {
        id: 'tsx',
        label: 'src/entrypoints/lambda.ts via node --import tsx',
        target: src,
        nodeArgs: ['--import', 'tsx'],
        ...sizeOf(join(ROOT, 'src'), (f) => f.endsWith('.ts')),
      },
    ];
    const samples = new Map<string, number[]>(variants.map((v) => [v.id, []]));
    const cpuSamples = new Map<string, number[]>(variants.map((v) => [v.id, []]));
    const failures = new Map<string, string>();
    for (let round = 0; round < runs + 1; round++) {
      for (const v of rotate(variants, round)) {
        if (failures.has(v.id)) continue;
        try {
          const { wall, cpu } = importTime(v.target, v.nodeArgs);
          if (round > 0) {
            samples.get(v.id)!.push(wall);
            cpuSamples.get(v.id)!.push(cpu);
          }
        } catch (error) {
          failures.set(v.id, error instanceof Error ? error.message : String(error));
        }
      }
    }
    const out = variants.map((v) => {
      const s = samples.get(v.id)!;
      const failure = failures.get(v.id);
      return {
        id: v.id,
        label: v.label,
        bytes: v.bytes,
        files: v.files,
        samples: s,
        medianMs: median(s),
        cpuSamples: cpuSamples.get(v.id)!,
        medianCpuMs: median(cpuSamples.get(v.id)!),
        ...(failure ? { failure } : {}),
      };
    });
    for (const v of out) {
      log(
        `  [cold-start] ${v.id.padEnd(13)} ${(v.bytes / 1024).toFixed(0)} KB in ${v.files} file(s), median init ${v.medianMs.toFixed(1)} ms (CPU ${v.medianCpuMs.toFixed(1)} ms)` +
          ` (${v.samples.map((x) => x.toFixed(0)).join(', ')})${v.failure ? ` FAILED: ${v.failure}` : ''}`,
      );
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
