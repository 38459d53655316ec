/**
 * The V8 caps every CLI run gets through the bin (bin/launcher.ts); the benchmark passes the same
 * ones. Why these values: scripts/build.mjs and bench/README.md.
 */
export const MEMORY_CAPS = ['--max-semi-space-size=4', '--max-old-space-size=256'] as const;
