// How a Lambda entry becomes the code CloudFormation deploys: one esbuild build per route, used by the
// stateless stack (as the asset's local bundler), by `npm run bench:cold`, so the benchmark measures
// exactly what is deployed, and by `npm run admin -- stack-trace`.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';
import { mergeStaticChunks } from './static-chunks.js';

/** Lambda's runtime of the functions; the bundles target it. */
export const LAMBDA_NODE_TARGET = 'node22';

export interface BundleSettings {
  /**
   * Linked source maps, for stack traces that name the TypeScript source (the stack turns on
   * `--enable-source-maps` with them: `-c sourceMaps=true`). Off by default: Node parses them at every
   * cold start (`npm run bench:cold` measured 8-10 ms). Without them, `npm run admin -- stack-trace`
   * maps a logged stack back to the source offline; it builds with 'external' maps (no comment).
   */
  readonly sourceMaps?: boolean | 'external';
}

/**
 * esbuild options of every function bundle (the split build of buildFunction): ESM, minified, the AWS SDK bundled and tree-shaken (a
 * tree-shaken copy loads faster than the runtime's full one) and code splitting, so a module a route
 * loads with `import()` (the KMS client) is a chunk of its own, read only when first needed. Names are
 * not kept (`keepNames` wraps every function and class in a naming call: 15 KB and ~4 ms of each cold
 * start, measured with `npm run bench:cold`); no code depends on a minified name, since every error
 * class sets its `name` itself. Source maps change only the chunks' hashed file names (of the same
 * length) and add a trailing comment: lines and columns are those of the bundle built without them,
 * which is what lets a logged stack trace be mapped offline.
 */
export function bundleOptions(entry: string, outdir: string, { sourceMaps = false }: BundleSettings = {}): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_NODE_TARGET,
    minify: true,
    keepNames: false,
    // linked, so that merging the static chunks finds each chunk's map
    sourcemap: sourceMaps ? 'linked' : false,
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies may still call require(); ESM has none without this.
    banner: { js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  };
}

/**
 * What a function built with source maps adds to its environment: Node reads the maps only with this
 * flag (NODE_OPTIONS is Node's own variable, not one of the service's: lib/settings/environment.ts).
 */
export function sourceMapsEnvironment({ sourceMaps = false }: BundleSettings): Record<string, string> {
  return sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {};
}

/**
 * Builds one function (`entry`, relative to `root`) into `outdir` as it is deployed: esbuild's split
 * build, then the chunks index.mjs imports statically merged into it (infra/static-chunks.ts), so a
 * cold start loads one file and the lazily loaded chunks only on first need.
 */
export function buildFunction(root: string, entry: string, outdir: string, settings: BundleSettings = {}): void {
  const options = bundleOptions(path.resolve(root, entry), outdir, settings);
  const { metafile } = buildSync({ ...options, absWorkingDir: root, metafile: true });
  const sourcemap = settings.sourceMaps === 'external' ? 'external' : settings.sourceMaps ? 'linked' : false;
  mergeStaticChunks({ outdir, metafile, workingDir: root, target: LAMBDA_NODE_TARGET, sourcemap });
  // the split build linked its chunks' maps for the merge; 'external' leaves no comment behind
  if (settings.sourceMaps === 'external') {
    for (const file of readdirSync(outdir).filter((name) => name.endsWith('.mjs'))) {
      const code = readFileSync(path.join(outdir, file), 'utf8');
      writeFileSync(path.join(outdir, file), code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n'));
    }
  }
}

/**
 * The deployment package of one route, bundled on this machine with esbuild (no Docker). The asset's
 * hash is that of the output, so an unchanged bundle is not uploaded again.
 */
export function routeCode(root: string, entry: string, settings: BundleSettings = {}): lambda.Code {
  return lambda.Code.fromAsset(root, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // never used: the local bundler below always succeeds or fails the synthesis
      image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:22'),
      // CDK caches a bundling by its serializable options, and tryBundle is not one of them: naming the
      // entry here keeps the four routes from sharing the first one's bundle
      command: ['esbuild', entry, ...(settings.sourceMaps ? [`--sourcemap=${settings.sourceMaps}`] : [])],
      local: {
        tryBundle(outputDir: string): boolean {
          buildFunction(root, entry, outputDir, settings);
          return true;
        },
      },
    },
  });
}
