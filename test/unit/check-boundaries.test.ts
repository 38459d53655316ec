/**
 * scripts/check-boundaries.mjs, the import rules `npm run lint` enforces (docs/architecture.md,
 * "Boundaries"): each rule is shown failing on a small tree written to a temporary folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries, findCycles } from '../../scripts/check-boundaries.mjs';

let root: string | undefined;

/** Writes `files` (root-relative path -> source) into a fresh folder and returns it. */
function tree(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'tp-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const CLEAN = {
  'src/core/run.ts': "import { a } from './ports/clock.js';\nexport const run = a;\n",
  'src/core/ports/clock.ts': 'export const a = 1;\n',
  'src/adapters/file.ts': "import { run } from '../core/run.js';\nimport { x } from 'node:fs';\n",
  'emulator/index.ts': "import { w } from './world/index.js';\nexport const e = w;\n",
  'emulator/world/index.ts': "export { w } from './posts.js';\n",
  'emulator/world/posts.ts': "import { gzipSync } from 'node:zlib';\nexport const w = gzipSync;\n",
  'emulator/http/server.ts': "import { w } from '../world/index.js';\nexport const s = w;\n",
};

describe('checkBoundaries', () => {
  it('finds nothing in a tree that keeps every rule', () => {
    expect(checkBoundaries(tree(CLEAN))).toEqual([]);
  });

  it.each([
    ['another src folder', "import { c } from '../../config/types.js';"],
    ['a type only, from another src folder', "import type { C } from '../../adapters/file.js';"],
    ['a node builtin', "import { readFileSync } from 'node:fs';"],
    ['a package', "import { z } from 'zod';"],
    ['a re-export', "export { c } from '../../config/types.js';"],
  ])('core-pure: src/core importing %s is a violation', (_what, line) => {
    const found = checkBoundaries(tree({ ...CLEAN, 'src/core/ports/x.ts': `\n${line}\n` }));
    expect(found).toEqual([
      { file: 'src/core/ports/x.ts', line: 2, rule: 'core-pure', message: expect.any(String) },
    ]);
  });

  it.each([
    [
      'src-emulator',
      'src/ importing the emulator',
      'src/adapters/x.ts',
      "import { e } from '../../emulator/index.js';",
    ],
    [
      'emulator-src',
      'the emulator importing a type from src/',
      'emulator/world/x.ts',
      "import type { R } from '../../src/core/run.js';",
    ],
    [
      'emulator-facade',
      "an emulator folder importing past another folder's index.ts",
      'emulator/http/x.ts',
      "import { w } from '../world/posts.js';",
    ],
    [
      'emulator-layers',
      'a lower emulator folder importing a higher one',
      'emulator/world/x.ts',
      "import { s } from '../http/server.js';",
    ],
  ])('%s: %s is a violation', (rule, _what, file, line) => {
    const found = checkBoundaries(tree({ ...CLEAN, [file]: `${line}\n` }));
    const expected = rule === 'emulator-layers' ? ['emulator-facade', rule] : [rule];
    expect(found.map((v) => [v.file, v.rule])).toEqual(expected.map((r) => [file, r]));
  });

  it('cycle: a type-only import loop among src/ files is a violation', () => {
    const found = checkBoundaries(
      tree({
        ...CLEAN,
        'src/core/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
        'src/core/b.ts': "import type { A } from './a.js';\nexport type B = A;\n",
      }),
    );
    expect(found).toEqual([
      {
        file: 'src/core/a.ts',
        line: 1,
        rule: 'cycle',
        message: 'import cycle: src/core/a.ts -> src/core/b.ts -> src/core/a.ts',
      },
    ]);
  });
});

describe('findCycles', () => {
  it('reports one loop per strongly connected component and none for a chain', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
      ['e', new Set(['e'])],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
    expect(
      findCycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });
});
