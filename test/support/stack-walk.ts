/** Reads a JS stack as the src/ files it passes through, for the walk test (test/integration/walk.test.ts). */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Files that call back into their caller by design; a stack may pass through them and return. */
const LEAF_UTILITIES: ReadonlySet<string> = new Set(['src/core/retry.ts']);

/** The src/ files of a stack, innermost first (node_modules, tests and node internals left out). */
export function srcFiles(stack: string): string[] {
  const files: string[] = [];
  for (const line of stack.split('\n')) {
    const match = /\(?(?:file:\/\/)?(\/[^():]+\.ts):\d+:\d+\)?$/.exec(line.trim());
    if (match === null) continue;
    const file = relative(ROOT, match[1] as string)
      .split(sep)
      .join('/');
    if (file.startsWith('src/')) files.push(file);
  }
  return files;
}

/** Files met again after the stack had left them (leaf utilities skipped). */
export function revisits(files: readonly string[]): string[] {
  const runs: string[] = [];
  for (const file of files) {
    if (LEAF_UTILITIES.has(file)) continue;
    if (runs.at(-1) !== file) runs.push(file);
  }
  return [...new Set(runs.filter((file, i) => runs.indexOf(file) !== i))];
}
