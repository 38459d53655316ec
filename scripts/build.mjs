// Builds the CLI into dist/ and the Lambda handler into build/lambda/ with esbuild.
// The CLI (bin/twitter-poller.ts → dist/cli.js) keeps its dependencies external (installed with the
// package) and is split into chunks so that the AWS adapters, loaded with import() only for a
// dynamodb store or a lambda/sqs sink, stay out of the startup path. The Lambda bundle
// (build/lambda/lambda.mjs, scripts/lambda-bundle.mjs) inlines everything except the native
// better-sqlite3 module, which the Lambda never loads; it has its own directory so that the SAM
// template's CodeUri uploads it alone, and it is not part of the npm package.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildLambda } from './lambda-bundle.mjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
};

// Chunk names carry content hashes: clear the old ones so that dist/ holds one build.
rmSync('dist/chunks', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: 'bin/twitter-poller.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  packages: 'external',
  // The young generation capped at 2 x 4 MB semispaces: V8 otherwise grows it to 2 x 16 MB under a
  // long drain's allocation rate, which was most of the CLI's peak RSS growth from 10k to 100k posts
  // (bench/README.md): peak RSS 103 -> 78 MB at 100,000 posts (75 MB at 10,000) for ~3 % more user
  // CPU (3.01 -> 3.10 s, medians of 3; 2 MB semispaces cost 3.29 s).
  // The old generation capped at 256 MB (Node's default here is ~4 GB): V8 sizes its first collection
  // limit from the cap, so with the default the old space filled with promoted garbage for a whole
  // 1,000,000-post drain (one mark-compact in 40 s, heap 19 -> 34 MB). With 256 MB it collects every
  // ~15 s: peak RSS 89 -> 84 MB at 1,000,000 posts, same CPU. The CLI's live heap is ~10 MB (a page,
  // the checkpoint; more with the AWS SDK loaded), far below the cap.
  // The caps are applied by the launcher below (dist/twitter-poller.js, the package's bin): a shebang
  // `#!/usr/bin/env -S node <flags>` is refused by BusyBox env (Alpine), OpenBSD and NetBSD.
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/cli.js', 0o755);

// The bin: a plain `#!/usr/bin/env node` file that starts dist/cli.js with the memory caps.
await build({
  ...common,
  sourcemap: false,
  entryPoints: { 'twitter-poller': 'bin/launcher.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/twitter-poller.js', 0o755);

// Earlier builds put the Lambda bundle in dist/: remove it so that nothing loads a stale copy.
rmSync('dist/lambda.mjs', { force: true });
rmSync('dist/lambda.mjs.map', { force: true });
rmSync('build/lambda', { recursive: true, force: true });
await buildLambda('build/lambda');
