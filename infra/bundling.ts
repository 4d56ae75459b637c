// How a Lambda entry becomes the code CloudFormation deploys: one esbuild build per route, used by the
// stateless stack (as the asset's local bundler) and by `npm run bench:cold`, so the benchmark measures
// exactly what is deployed.

import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, build, buildSync } from 'esbuild';

/** Lambda's runtime of the functions; the bundles target it. */
export const LAMBDA_NODE_TARGET = 'node22';

/**
 * esbuild options of every function bundle: ESM, minified, the AWS SDK bundled and tree-shaken (a
 * tree-shaken copy loads faster than the runtime's full one) and code splitting, so a module a route
 * loads with `import()` (the KMS client) is a chunk of its own, read only when first needed. No source
 * maps: Node parses them at every cold start when they are enabled (`npm run bench:cold` measured
 * 8-10 ms); names are kept instead, so stack traces stay readable.
 */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
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
    keepNames: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies may still call require(); ESM has none without this.
    banner: { js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  };
}

/** Bundles one entry (relative to `root`) into `outdir`: index.mjs and its chunks. */
export async function bundleEntry(root: string, entry: string, outdir: string): Promise<void> {
  await build({ ...bundleOptions(path.resolve(root, entry), outdir), absWorkingDir: root });
}

/**
 * The deployment package of one route, bundled on this machine with esbuild (no Docker). The asset's
 * hash is that of the output, so an unchanged bundle is not uploaded again.
 */
export function routeCode(root: string, entry: string): lambda.Code {
  return lambda.Code.fromAsset(root, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // never used: the local bundler below always succeeds or fails the synthesis
      image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:22'),
      // CDK caches a bundling by its serializable options, and tryBundle is not one of them: naming the
      // entry here keeps the four routes from sharing the first one's bundle
      command: ['esbuild', entry],
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync({ ...bundleOptions(path.resolve(root, entry), outputDir), absWorkingDir: root });
          return true;
        },
      },
    },
  });
}
