/** One broken boundary rule (scripts/check-boundaries.mjs); `file` is root-relative with `/`. */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule:
    | 'core-pure'
    | 'src-emulator'
    | 'emulator-src'
    | 'emulator-facade'
    | 'emulator-layers'
    | 'cycle';
  readonly message: string;
}

/** Checks every boundary rule of docs/architecture.md ("Boundaries") below `root`. */
export function checkBoundaries(root: string): Violation[];

/** Import cycles of a file graph, one loop (first file repeated last) per strongly connected component. */
export function findCycles(graph: Map<string, Set<string>>): string[][];
