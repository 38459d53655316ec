// Builds the Lambda handler (src/entrypoints/lambda.ts) into one minified ES module, <outdir>/lambda.mjs,
// and the fan-out's planner and worker (src/entrypoints/lambda-fleet.ts) into another, <outdir>/fleet.mjs
// (each self-contained: the single function loads lambda.mjs alone, kept under 600 KB).
// scripts/build.mjs calls it for build/lambda/; test/aws/lambda-bundle.test.ts and bench/ call it too,
// so that what they run is what ships. Why each option: bench/README.md (Cold start) and
// docs/dependencies.md (the AWS SDK is bundled, not taken from the runtime).
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository: paths in the build (and a relative outdir) are relative to it, wherever this runs from. */
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The AWS SDK clients import their whole package.json for one field, the version they put in the
 * User-Agent header; ~12 KB of the bundle was their scripts, dependency lists and keywords.
 */
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const { version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * The SDK's generated schema modules key their trait objects with constants (`{ [_h]: [...] }` where
 * `const _h = "http"`). esbuild must assume a computed key can run code (a toString), so it keeps
 * every operation's schema, used or not. Spelling the key as its string literal is the same object
 * and lets esbuild drop the operations the poller never sends (~70 KB of the bundle).
 *
 * The same modules register every error class of the service (SSM alone has 140) at import, which
 * keeps all of them. Given `keepErrors` (the errors the operations in the bundle can throw, by
 * client), the registrations of the others are left out: such an error, should a service send it,
 * arrives as the client's ServiceException with the error's name, message, `$fault` and
 * `$metadata`, which is what the SDK does with an error newer than the client (and what
 * adapters/aws/errors.ts classifies by: the name and the HTTP status).
 * @param {Map<string, Set<string>> | undefined} keepErrors client directory (dist-es/.../schemas/..
 *   up to the schemas folder) to the error names to keep
 */
function sdkSchemas(keepErrors) {
  return {
    name: 'sdk-schemas',
    setup(b) {
      b.onLoad(
        { filter: /[\\/]node_modules[\\/]@aws-sdk[\\/].*[\\/]schemas[\\/]schemas_\d+\.js$/ },
        async (args) => {
          const { readFile } = await import('node:fs/promises');
          const source = await readFile(args.path, 'utf8');
          const literals = new Map();
          for (const m of source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)) literals.set(m[1], m[2]);
          let contents = source.replace(/\[(_\w+)\]:/g, (key, name) =>
            literals.has(name) ? `[${literals.get(name)}]:` : key,
          );
          const keep = keepErrors?.get(clientOf(args.path));
          if (keep !== undefined) {
            contents = contents.replace(
              /^(?!_s_registry)\w+_registry\.registerError\((\w+)\$, \w+\);$/gm,
              (line, name) => (keep.has(name) ? line : ''),
            );
          }
          return { contents, loader: 'js' };
        },
      );
    },
  };
}

/** The folder holding a client's dist-es/.../schemas and .../commands, relative to the repository. */
function clientOf(path) {
  return relative(root, resolve(root, path))
    .replaceAll('\\', '/')
    .replace(/\/(schemas|commands)\/[^/]+$/, '');
}

/**
 * The errors each client's operations in a first build can throw, from the `@throws` lines of the
 * commands' type declarations (dist-types mirrors dist-es).
 * @param {import('esbuild').Metafile} metafile
 */
async function errorsOfUsedCommands(metafile) {
  const { readFile } = await import('node:fs/promises');
  const keep = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (
        bytesInOutput === 0 ||
        !/@aws-sdk[\\/].*[\\/]dist-es[\\/](.*[\\/])?commands[\\/]\w+Command\.js$/.test(input)
      ) {
        continue;
      }
      const client = clientOf(input);
      const names = keep.get(client) ?? new Set();
      keep.set(client, names);
      const types = input.replace(/[\\/]dist-es[\\/]/, '/dist-types/').replace(/\.js$/, '.d.ts');
      const declaration = await readFile(resolve(root, types), 'utf8');
      for (const m of declaration.matchAll(/@throws \{@link (\w+)\}/g)) names.add(m[1]);
    }
  }
  return keep;
}

/**
 * The proxy agents (https-proxy-agent, http-proxy-agent) log through the `debug` package, enabled only
 * by a DEBUG namespace nobody sets on a Lambda; a silent stand-in keeps its 6.7 KB (and its tty and
 * environment probing at import) out of the bundle. The CLI keeps the real one.
 */
const silentDebug = {
  name: 'silent-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'silent-debug' }));
    b.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      contents:
        'export default function createDebug() { const log = () => {}; log.enabled = false; log.extend = () => log; return log; }',
      loader: 'js',
    }));
  },
};

/**
 * Bundles the handler into `outdir/lambda.mjs` (handler `lambda.handler`) and the fan-out's into
 * `outdir/fleet.mjs` (`fleet.planner`, `fleet.worker`); returns esbuild's metafile.
 * @param {string} outdir
 * @param {{ sdkExternal?: boolean }} [options] sdkExternal: leave `@aws-sdk/*` and `@smithy/*` to
 *   the runtime's copy (the bench measures it; the shipped bundle keeps them in, see
 *   docs/dependencies.md). @default false
 */
export async function buildLambda(outdir, options = {}) {
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    absWorkingDir: root,
    entryPoints: { lambda: 'src/entrypoints/lambda.ts', fleet: 'src/entrypoints/lambda-fleet.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    // The packages' ES module builds: esbuild's default for platform node is their CommonJS `main`,
    // which it cannot tree-shake (1,052 -> 681 KB with the AWS SDK).
    mainFields: ['module', 'main'],
    // No source map: it would be 4x the bundle, and the Lambda never loads it.
    sourcemap: false,
    legalComments: 'none',
    // The native SQLite module is the CLI's; the Lambda never loads it.
    external: ['better-sqlite3', ...(options.sdkExternal ? ['@aws-sdk/*', '@smithy/*'] : [])],
    // A CommonJS dependency bundled into an ES module still calls require() for node: built-ins.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  };
  // A first build, not written, says which commands the handlers send, hence which errors to keep.
  const keepErrors = options.sdkExternal
    ? undefined
    : await errorsOfUsedCommands(
        (
          await build({
            ...common,
            write: false,
            plugins: [sdkPackageVersionOnly, sdkSchemas(undefined), silentDebug],
          })
        ).metafile,
      );
  const result = await build({
    ...common,
    plugins: [sdkPackageVersionOnly, sdkSchemas(keepErrors), silentDebug],
  });
  return result.metafile;
}
