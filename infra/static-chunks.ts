// One file at cold start. esbuild's code splitting makes a chunk of every module a lazily loaded
// module (`import()`: the KMS client, the token verifiers, the SDK's credential providers...) shares
// with the entry, one chunk per distinct set of sharers, so a route's index.mjs statically imports a
// score of chunks, many of them a few hundred bytes. Node pays for each module file it loads (resolve,
// stat, read, compile, link: ~0.2 ms each here), about a sixth of a route's import time
// (`npm run bench:cold`). This pass bundles index.mjs and those chunks into one index.mjs again, and
// leaves in each merged chunk's place a forwarder that re-exports its bindings from index.mjs, for the
// lazily loaded chunks that import it: they load it on first need, as before, and share the one
// instance of every module (live bindings, ESM semantics kept).

import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';

const ENTRY = 'index.mjs';

export interface StaticChunksOptions {
  /** Directory of the split build, where index.mjs and its chunks are. */
  readonly outdir: string;
  /** esbuild's metafile of that build; its paths are relative to `workingDir`. */
  readonly metafile: Metafile;
  readonly workingDir: string;
  /** esbuild target of the build. */
  readonly target: string;
  /**
   * Source maps of the merged index.mjs, made from the chunks' own (the split build must have linked
   * ones): 'linked' adds the comment Node follows, 'external' only writes the map.
   */
  readonly sourcemap: false | 'linked' | 'external';
}

/** Merges into index.mjs every chunk it imports statically; returns the file names merged. */
export function mergeStaticChunks({ outdir, metafile, workingDir, target, sourcemap }: StaticChunksOptions): string[] {
  const outputs = metafile.outputs;
  const name = (key: string) => path.basename(key);
  const entryKey = Object.keys(outputs).find((key) => name(key) === ENTRY);
  if (entryKey === undefined) throw new Error(`no ${ENTRY} in the build of ${outdir}`);

  const statics = new Set<string>();
  const visit = (key: string) => {
    for (const imported of outputs[key]!.imports) {
      if (imported.kind !== 'import-statement' || outputs[imported.path] === undefined || statics.has(imported.path)) continue;
      statics.add(imported.path);
      visit(imported.path);
    }
  };
  visit(entryKey);
  if (statics.size === 0) return [];
  const lazy = Object.keys(outputs).filter((key) => key !== entryKey && !statics.has(key) && key.endsWith('.mjs'));
  const importedByLazy = new Set(lazy.flatMap((key) => outputs[key]!.imports.map((imported) => imported.path)));

  // Each chunk's bindings are exported from the merged index.mjs under `$<n>_<name>`. n follows the
  // chunks' contents, not their hashed names, so a build with source maps (other hashes) numbers
  // them alike and its code keeps every line and column of the build without.
  const ordered = [...statics].sort((a, b) => contentKey(outputs[a]!).localeCompare(contentKey(outputs[b]!)));
  const lines = [`export * from './${ENTRY}';`];
  const forwarders = new Map<string, string>();
  ordered.forEach((key, n) => {
    const exported = outputs[key]!.exports;
    if (exported.length === 0) return;
    lines.push(`export { ${exported.map((binding) => `${binding} as $${n}_${binding}`).join(', ')} } from './${name(key)}';`);
    forwarders.set(key, forwarder(exported.map((binding) => `$${n}_${binding} as ${binding}`)));
  });

  const merged = buildSync({
    stdin: { contents: lines.join('\n'), resolveDir: outdir, sourcefile: 'static-chunks.mjs', loader: 'js' },
    outfile: path.join(outdir, ENTRY),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target,
    minify: true,
    sourcemap,
    // the lazily loaded chunks stay files of their own, loaded by import() as before
    external: lazy.map((key) => `./${name(key)}`),
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  // written only now: esbuild read the old index.mjs and its chunks from the directory
  for (const file of merged.outputFiles) writeFileSync(file.path, file.contents);

  for (const key of statics) {
    const file = path.resolve(workingDir, key);
    rmSync(`${file}.map`, { force: true });
    if (importedByLazy.has(key)) writeFileSync(file, forwarders.get(key) ?? forwarder([]));
    else rmSync(file);
  }
  return [...statics].map(name);
}

/** A merged chunk's stand-in: its bindings, re-exported from index.mjs. */
function forwarder(bindings: readonly string[]): string {
  return `export{${bindings.join(',')}}from"./${ENTRY}";\n`;
}

const FORWARDER = new RegExp(`^export\\{[^}]*\\}from"\\./${ENTRY.replace('.', '\\.')}";\\n$`);

/** Whether `code` is a merged chunk's forwarder (it holds no code a stack frame could be in). */
export function isForwarder(code: string): boolean {
  return FORWARDER.test(code);
}

/** What a chunk holds, whatever its hashed name: its modules, or its code for a chunk of esbuild's helpers only. */
function contentKey(output: Metafile['outputs'][string]): string {
  const inputs = Object.keys(output.inputs);
  return inputs.length > 0 ? inputs.sort().join('\n') : `\u{10FFFF}${output.exports.join(',')}`;
}
