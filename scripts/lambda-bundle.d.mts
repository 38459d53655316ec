import type { Metafile } from 'esbuild';

/** Bundles src/entrypoints/lambda.ts into `outdir/lambda.mjs` (scripts/lambda-bundle.mjs). */
export function buildLambda(outdir: string, options?: { sdkExternal?: boolean }): Promise<Metafile>;
