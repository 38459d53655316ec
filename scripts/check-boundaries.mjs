#!/usr/bin/env node
/**
 * The import boundaries of docs/architecture.md ("Boundaries"), checked with TypeScript's own
 * import scanner (`ts.preProcessFile`: static, type-only, re-export and `import()` imports alike).
 * Run by `npm run lint` (and so by .ci/run); exits 1 and prints one line per violation.
 *
 * | rule            | what it forbids                                                              |
 * | --------------- | ---------------------------------------------------------------------------- |
 * | core-pure       | src/core/** importing anything outside src/core/ (other folders, packages, node: builtins) |
 * | src-emulator    | src/** importing emulator/                                                   |
 * | emulator-src    | emulator/** importing src/ (or bin/, test/, bench/, scripts/)                |
 * | emulator-facade | a file importing another emulator/ folder other than through its index.ts    |
 * | emulator-layers | an emulator/ folder importing one that is not before it in EMULATOR_LAYERS    |
 * | cycle           | an import cycle among the files of src/ or of emulator/ (type-only included) |
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The emulator's folders, lowest first: a folder imports only folders before it (docs/emulator.md,
 * "Layout"). A folder missing here fails as soon as it imports another folder or is imported.
 */
const EMULATOR_LAYERS = ['world', 'api', 'query', 'limits', 'faults', 'admin', 'http'];

/** Top-level folders the emulator never imports from. */
const NOT_FOR_EMULATOR = ['src', 'bin', 'test', 'bench', 'scripts'];

/**
 * @typedef {{ file: string, line: number, rule: string, message: string }} Violation
 * `file` is relative to the root, with `/` separators.
 */

/** @param {string} dir @returns {string[]} every .ts file below `dir` (absolute paths) */
function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or undefined for a
 * package or builtin.
 * @param {string} from absolute path of the importing file
 * @param {string} spec
 */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m?)js$/, '.$1ts'), base, `${base}.ts`, join(base, 'index.ts')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return c;
  return base; // unresolved: still checked by folder
}

/** @param {string} root @param {string} path @returns {string} root-relative, `/` separators */
function rel(root, path) {
  return relative(root, path).split(sep).join('/');
}

/**
 * The imports of one file: specifier, 1-based line, resolved absolute path (undefined for a package).
 * @param {string} file
 */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const lineStarts = ts.computeLineStarts(text);
  return info.importedFiles.map((ref) => ({
    spec: ref.fileName,
    line: ts.computeLineAndCharacterOfPosition(lineStarts, ref.pos).line + 1,
    target: resolveSpecifier(file, ref.fileName),
  }));
}

/** The emulator folder a root-relative path is in (`world` for emulator/world/x.ts), or '' at its top. */
function emulatorFolder(relPath) {
  const parts = relPath.split('/');
  return parts.length > 2 ? parts[1] : '';
}

/**
 * Import cycles in a graph, one per strongly connected component of two or more files (or a file
 * importing itself), each as the list of files around one loop.
 * @param {Map<string, Set<string>>} graph
 * @returns {string[][]}
 */
export function findCycles(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  // Iterative Tarjan: the graph is small, but recursion depth should not depend on it.
  for (const start of graph.keys()) {
    if (indexOf.has(start)) continue;
    const work = [[start, [...(graph.get(start) ?? [])], 0]];
    indexOf.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, next] = frame;
      if (frame[2] < next.length) {
        const to = next[frame[2]++];
        if (!graph.has(to)) continue;
        if (!indexOf.has(to)) {
          indexOf.set(to, index);
          low.set(to, index++);
          stack.push(to);
          onStack.add(to);
          work.push([to, [...(graph.get(to) ?? [])], 0]);
        } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), indexOf.get(to)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === indexOf.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || graph.get(node)?.has(node)) components.push(component);
      }
    }
  }
  return components.map((component) => loopThrough(graph, new Set(component)));
}

/** One loop inside a strongly connected component, found by a breadth-first walk back to its first file. */
function loopThrough(graph, members) {
  const first = [...members].sort()[0];
  const cameFrom = new Map([[first, undefined]]);
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === first) {
        const loop = [node];
        for (let at = cameFrom.get(node); at !== undefined; at = cameFrom.get(at)) loop.unshift(at);
        return [...loop, first];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [...members, first];
}

/**
 * The emulator's folder rules for one import from `from` to `to` (both root-relative): another folder
 * only through its index.ts, and only a folder before this one in EMULATOR_LAYERS.
 */
function checkEmulatorImport(from, to, spec, file, line, add) {
  const [own, folder] = [emulatorFolder(from), emulatorFolder(to)];
  if (folder === '' || folder === own) return;
  if (to !== `emulator/${folder}/index.ts`)
    add(file, line, 'emulator-facade', `import emulator/${folder}/ through its index.ts, not '${spec}'`);
  const [mine, theirs] = [EMULATOR_LAYERS.indexOf(own), EMULATOR_LAYERS.indexOf(folder)];
  if (own !== '' && (mine < 0 || theirs < 0 || theirs > mine))
    add(
      file,
      line,
      'emulator-layers',
      `emulator/${own}/ may not import emulator/${folder}/ (${EMULATOR_LAYERS.join(' < ')})`,
    );
}

/**
 * Checks every boundary rule below `root` (a checkout of this repository).
 * @param {string} root
 * @returns {Violation[]}
 */
export function checkBoundaries(root) {
  /** @type {Violation[]} */
  const violations = [];
  const add = (file, line, rule, message) => violations.push({ file: rel(root, file), line, rule, message });
  for (const area of ['src', 'emulator']) {
    /** @type {Map<string, Set<string>>} */
    const graph = new Map();
    for (const file of tsFiles(join(root, area))) {
      const from = rel(root, file);
      const edges = new Set();
      graph.set(from, edges);
      for (const { spec, line, target } of importsOf(file)) {
        const to = target === undefined ? undefined : rel(root, target);
        if (to?.startsWith(`${area}/`)) edges.add(to);
        if (from.startsWith('src/core/') && (to === undefined || !to.startsWith('src/core/')))
          add(file, line, 'core-pure', `core imports only core, not '${spec}'`);
        if (area === 'src' && to?.startsWith('emulator/'))
          add(file, line, 'src-emulator', `src/ never imports the emulator: '${spec}'`);
        if (area === 'emulator' && to !== undefined && NOT_FOR_EMULATOR.includes(to.split('/')[0]))
          add(file, line, 'emulator-src', `the emulator never imports ${to.split('/')[0]}/: '${spec}'`);
        if (area === 'emulator' && to?.startsWith('emulator/'))
          checkEmulatorImport(from, to, spec, file, line, add);
      }
    }
    for (const loop of findCycles(graph)) {
      add(join(root, loop[0]), 1, 'cycle', `import cycle: ${loop.join(' -> ')}`);
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.rule}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-boundaries: ${violations.length} violation(s) (docs/architecture.md, "Boundaries")`);
    process.exit(1);
  }
  console.log(
    'check-boundaries: src/core pure, src/ and emulator/ apart, emulator folders through their index and in layers, no import cycles',
  );
}
