// Builds the CLI and the Lambda handler into dist/ with esbuild.
// The CLI keeps its dependencies external (installed with the package); the Lambda bundle
// inlines everything except the native better-sqlite3 module, which the Lambda never loads.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: true, logLevel: 'warning' };
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

await build({
  ...common,
  entryPoints: { cli: 'src/entrypoints/cli.ts' },
  outdir: 'dist',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
});
await build({
  ...common,
  entryPoints: { lambda: 'src/entrypoints/lambda.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  minify: true,
  external: ['better-sqlite3'],
  banner,
  metafile: false,
});
