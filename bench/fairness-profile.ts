/**
 * Where the 100 streams' extra CPU goes (issue 10): the world of bench/fairness.ts (100 streams of
 * skewed volumes) drained in one run by the 100 streams and by one stream matching the same posts,
 * with the built CLI, in one of four modes:
 *
 * - `--mode cpu` (default): the poller's CPU time (user + system, GNU time), `--reps` alternating
 *   repetitions, for each `--cli` given (an A/B of two builds: `--cli .tmp/base/cli.js --cli dist/cli.js`);
 * - `--mode prof`: `node --cpu-prof` of each drain; prints the CPU (not idle) per source function of
 *   ours (the nearest src/ frame on the stack), 100 streams minus one stream, largest first;
 * - `--mode strace`: `strace -c -f` of the file-system system calls of each drain;
 * - `--mode sql`: the SQLite statements each drain runs (bench/lib/sql-count.cjs), 100 vs one;
 * - `--mode inflight`: how long each drain had no request in flight (bench/lib/request-trace.mjs, as
 *   bench/trace-drain.ts): the API idle while the poller parses, delivers and commits; medians of
 *   `--reps` alternating pairs;
 * - `--mode heap`: one heap snapshot of each drain `--heap-at` ms after its start (bench/lib/heap-snapshot.cjs);
 *   prints the heap's size and the post and user objects alive in it (a page held between turns shows).
 *
 * `--world backlog`: every stream at least 1,050 posts (bench/fairness.ts `--world backlog`), instead
 * of the skewed world where most streams have less than a page.
 *
 * Usage: `npm run build && node --import tsx bench/fairness-profile.ts [--mode cpu|prof|strace|sql|heap]
 * [--world skewed|backlog] [--reps 5] [--heap-at 2000] [--concurrency N] [--cli dist/cli.js ...]`
 * (`--concurrency` is passed to every drain; without it the CLI's default applies). A build to compare with must sit under the repository (its
 * chunks find node_modules from there), e.g. `cp -r dist .tmp/base`.
 * `KEEP=1` keeps the drains' folders (profiles, logs, state) under the printed temporary folder.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ONE_QUERY, plan, startWorld } from './lib/fairness-world.js';
import { median } from './lib/stats.js';
import { summarize, type Trace } from './lib/trace-summary.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'cpu' },
    reps: { type: 'string', default: '5' },
    cli: { type: 'string', multiple: true },
    world: { type: 'string', default: 'skewed' },
    'heap-at': { type: 'string', default: '2000' },
    concurrency: { type: 'string' },
  },
});
const mode = values.mode ?? 'cpu';
const clis = values.cli ?? ['dist/cli.js'];
const reps = Number(values.reps ?? '5');

// The worlds of bench/fairness.ts at 100 streams: stream i has about 5,000 / (i + 1) posts, at least 20
// (skewed), or about 20,000 / (i + 1), at least 1,050 (backlog).
const streams = values.world === 'backlog' ? plan(100, 20_000, 1_050) : plan(100, 5000, 20);

interface Drain {
  readonly dir: string;
  readonly events: Record<string, number>;
  readonly cpuS: number;
}

function drain(url: string, base: string, cli: string, one: boolean, tag: string): Drain {
  const dir = join(base, tag);
  mkdirSync(dir);
  const cfg = join(dir, 'config.json');
  const entries = one
    ? [{ name: 'all', query: ONE_QUERY }]
    : streams.map((s) => ({ name: s.name, query: s.word, weight: s.weight }));
  writeFileSync(
    cfg,
    JSON.stringify({
      store: `sqlite:${join(dir, 'state.db')}`,
      sink: `jsonl:${join(dir, 'out.jsonl')}`,
      initial: '7d',
      streams: entries,
    }),
  );
  const flags = {
    prof: ['--cpu-prof', '--cpu-prof-dir', join(dir, 'prof')],
    sql: ['--require', join(ROOT, 'bench/lib/sql-count.cjs')],
    heap: ['--require', join(ROOT, 'bench/lib/heap-snapshot.cjs')],
    inflight: ['--import', join(ROOT, 'bench/lib/request-trace.mjs')],
  }[mode as 'prof' | 'sql' | 'heap' | 'inflight'];
  const node = [
    process.execPath,
    '--max-semi-space-size=4',
    ...(flags ?? []),
    cli,
    'poll',
    '--config',
    cfg,
    '--max-tweets',
    '10000000',
    '--min-interval',
    '0',
    '--time-budget',
    '3600',
    ...(values.concurrency === undefined ? [] : ['--concurrency', values.concurrency]),
  ];
  const wrap =
    mode === 'strace'
      ? ['strace', '-c', '-f', '-o', join(dir, 'strace.txt'), '-e', 'trace=%file,%desc', ...node]
      : ['/usr/bin/time', '-f', '%U %S', '-o', join(dir, 'cpu.txt'), ...node];
  const err = openSync(join(dir, 'stderr.log'), 'w');
  spawnSync(wrap[0] as string, wrap.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      X_API_BASE_URL: url,
      X_BEARER_TOKEN: 'bench',
      SQLCOUNT_OUT: join(dir, 'sql.json'),
      HEAP_SNAPSHOT_OUT: join(dir, 'heap.heapsnapshot'),
      HEAP_SNAPSHOT_AT_MS: values['heap-at'] ?? '2000',
      REQUEST_TRACE_OUT: join(dir, 'trace.json'),
    },
    stdio: ['ignore', 'ignore', err],
  });
  const events: Record<string, number> = {};
  let end: { event?: string; tweets_delivered?: number } = {};
  for (const line of readFileSync(join(dir, 'stderr.log'), 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    end = JSON.parse(line);
    if (end.event !== undefined) events[end.event] = (events[end.event] ?? 0) + 1;
  }
  const total = streams.reduce((a, s) => a + s.posts, 0);
  if (end.event !== 'execution_end' || end.tweets_delivered !== total)
    throw new Error(`${tag}: the drain did not deliver ${total} posts (see ${dir}/stderr.log)`);
  const cpu = existsSync(join(dir, 'cpu.txt'))
    ? (readFileSync(join(dir, 'cpu.txt'), 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number)
    : [];
  return { dir, events, cpuS: cpu.length === 2 ? (cpu[0] as number) + (cpu[1] as number) : Number.NaN };
}

const maps = new Map<string, SourceMap | undefined>();

/** The src/ file a bundled position maps to, else undefined. */
function sourceOf(url: string, line: number, column: number): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  const path = fileURLToPath(url);
  if (!maps.has(path))
    maps.set(
      path,
      existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))) : undefined,
    );
  const source = (maps.get(path)?.findEntry(line, column) as { originalSource?: string } | undefined)
    ?.originalSource;
  return source?.includes('src/') ? source.slice(source.indexOf('src/')) : undefined;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** CPU ms (idle left out) per nearest src/ function on the stack; "(none)" when there is none. */
function cpuBySource(dir: string): Map<string, number> {
  const file = readdirSync(join(dir, 'prof'))[0] as string;
  const profile = JSON.parse(readFileSync(join(dir, 'prof', file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    let key = '(none)';
    let up: number | undefined = id;
    for (let hops = 0; up !== undefined && hops < 300; hops++, up = parent.get(up)) {
      const f = byId.get(up)?.callFrame;
      const source = f === undefined ? undefined : sourceOf(f.url, f.lineNumber, f.columnNumber);
      if (f !== undefined && source !== undefined) {
        key = `${source} ${f.functionName || '(anonymous)'}`;
        break;
      }
    }
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

/** A V8 heap snapshot's total self size, and its post and user objects (by their properties). */
function heapFigures(file: string): { mb: number; posts: number; users: number } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: {
      meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
    };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = snap.snapshot.meta;
  const [type, name, size, edgeCount] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [edgeType, edgeName] = ['type', 'name_or_index'].map((f) => ef.indexOf(f));
  let bytes = 0;
  let posts = 0;
  let users = 0;
  let edge = 0;
  for (let i = 0; i < snap.nodes.length; i += nf.length) {
    bytes += snap.nodes[i + (size as number)] as number;
    const edges = snap.nodes[i + (edgeCount as number)] as number;
    const plain =
      nt[0][snap.nodes[i + (type as number)] as number] === 'object' &&
      snap.strings[snap.nodes[i + (name as number)] as number] === 'Object';
    if (plain) {
      const props = new Set<string>();
      for (let e = edge; e < edge + edges * ef.length; e += ef.length)
        if (et[0][snap.edges[e + (edgeType as number)] as number] === 'property')
          props.add(snap.strings[snap.edges[e + (edgeName as number)] as number] as string);
      if (props.has('edit_history_tweet_ids') && props.has('text')) posts++;
      else if (props.has('username') && props.has('id') && props.has('name')) users++;
    }
    edge += edges * ef.length;
  }
  return { mb: bytes / 1e6, posts, users };
}

/** Rows of `a` minus `b` (by key), largest difference first. */
function difference(a: Map<string, number>, b: Map<string, number>, top: number): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .map((k) => ({ k, a: a.get(k) ?? 0, b: b.get(k) ?? 0 }))
    .sort((x, y) => y.a - y.b - (x.a - x.b))
    .slice(0, top)
    .map((r) => `| ${(r.a - r.b).toFixed(0)} | ${r.a.toFixed(0)} | ${r.b.toFixed(0)} | \`${r.k}\` |`);
}

const base = mkdtempSync(join(tmpdir(), 'tp-fair-prof-'));
const emu = await startWorld(streams, base);
try {
  if (mode === 'cpu') {
    const cpu = new Map<string, number[]>();
    let n = 0;
    for (let rep = 0; rep < reps; rep++) {
      for (const cli of rep % 2 === 0 ? clis : [...clis].reverse()) {
        for (const one of rep % 2 === 0 ? [false, true] : [true, false]) {
          const key = `${cli}, ${one ? 'one stream' : '100 streams'}`;
          cpu.set(key, [...(cpu.get(key) ?? []), drain(emu.url, base, cli, one, `d${n++}`).cpuS]);
        }
      }
    }
    process.stdout.write('| build, drain | CPU s (median) | runs |\n|---|---:|---|\n');
    for (const [key, runs] of cpu)
      process.stdout.write(
        `| ${key} | ${median(runs).toFixed(2)} | ${runs.map((x) => x.toFixed(2)).join(', ')} |\n`,
      );
  } else if (mode === 'inflight') {
    const rows = new Map<string, Record<string, number>[]>();
    let n = 0;
    for (let rep = 0; rep < reps; rep++) {
      for (const one of rep % 2 === 0 ? [false, true] : [true, false]) {
        const d = drain(emu.url, base, clis[0] as string, one, `d${n++}`);
        const trace = JSON.parse(readFileSync(join(d.dir, 'trace.json'), 'utf8')) as Trace;
        const key = one ? 'one stream' : '100 streams';
        rows.set(key, [...(rows.get(key) ?? []), summarize(trace)]);
      }
    }
    process.stdout.write(
      '| drain (medians) | requests | start to first request, ms | first request to last answer, ms | none in flight, ms | share | none in flight per request, ms | last answer to exit, ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n',
    );
    for (const [key, runs] of rows) {
      const m = (field: string) => median(runs.map((r) => r[field] as number));
      process.stdout.write(
        `| ${key} | ${m('requests')} | ${m('to_first_request_ms')} | ${m('span_ms')} | ${m('none_in_flight_ms')} | ${((100 * m('none_in_flight_ms')) / m('span_ms')).toFixed(1)} % | ${m('none_in_flight_ms_per_request').toFixed(2)} | ${m('after_last_answer_ms')} |\n`,
      );
    }
  } else {
    const cli = clis[0] as string;
    const many = drain(emu.url, base, cli, false, 'many');
    const one = drain(emu.url, base, cli, true, 'one');
    process.stdout.write(`log events, 100 streams: ${JSON.stringify(many.events)}\n`);
    process.stdout.write(`log events, one stream: ${JSON.stringify(one.events)}\n\n`);
    if (mode === 'strace') {
      process.stdout.write(`100 streams:\n${readFileSync(join(many.dir, 'strace.txt'), 'utf8')}\n`);
      process.stdout.write(`one stream:\n${readFileSync(join(one.dir, 'strace.txt'), 'utf8')}\n`);
    } else if (mode === 'heap') {
      for (const [label, d] of [
        ['100 streams', many],
        ['one stream', one],
      ] as const) {
        const h = heapFigures(join(d.dir, 'heap.heapsnapshot'));
        process.stdout.write(
          `${label}: heap ${h.mb.toFixed(1)} MB at ${values['heap-at']} ms, ${h.posts} post objects, ${h.users} user objects alive\n`,
        );
      }
    } else if (mode === 'sql') {
      const read = (d: Drain) =>
        new Map<string, number>(JSON.parse(readFileSync(join(d.dir, 'sql.json'), 'utf8')));
      process.stdout.write('| 100 - one | 100 streams | one stream | statement |\n|---:|---:|---:|---|\n');
      process.stdout.write(`${difference(read(many), read(one), 20).join('\n')}\n`);
    } else {
      const a = cpuBySource(many.dir);
      const b = cpuBySource(one.dir);
      const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
      process.stdout.write(
        `profiled CPU (not idle): 100 streams ${sum(a).toFixed(0)} ms, one stream ${sum(b).toFixed(0)} ms\n\n`,
      );
      process.stdout.write(
        '| 100 - one, ms | 100 streams | one stream | nearest src/ function |\n|---:|---:|---:|---|\n',
      );
      process.stdout.write(`${difference(a, b, 25).join('\n')}\n`);
    }
  }
} finally {
  await emu.stop();
  if (process.env.KEEP === undefined) rmSync(base, { recursive: true, force: true });
}
