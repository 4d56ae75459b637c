// The source maps of a deployed bundle, made again from a checkout: the functions are deployed without
// source maps (Node parses them at every cold start), so `npm run admin -- stack-trace` builds the
// route twice with infra/bundling.ts's buildFunction, as deployed and with external source maps. The code
// of the two builds is the same but for the chunks' hashed file names (the hash depends on the sourcemap
// option; it keeps its length, so every line:column agrees); each deployed file is paired with its
// source-mapped twin by its code with those hashes masked.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFunction } from '../bundling.js';
import { isForwarder } from '../static-chunks.js';
import { type RawSourceMap, SourceMap } from './source-map.js';

/** One file of the deployed bundle (`index.mjs`, `chunk-LRHXVVYB.mjs`, ...), with its source map. */
export interface MappedBundleFile {
  /** Its file name as deployed, as stack frames name it. */
  readonly name: string;
  /** Its code, by line: a frame's position is checked against it. */
  readonly lines: readonly string[];
  readonly map: SourceMap;
  /** Original names by generated identifier, over the whole file (built on first use). */
  readonly renamed: () => ReadonlyMap<string, ReadonlySet<string>>;
}

export interface BundleSourceMaps {
  /** By deployed file name. */
  readonly files: ReadonlyMap<string, MappedBundleFile>;
  /** Makes a map's source (relative to the build's outdir) a path relative to the checkout: `lib/runtime/core.ts`. */
  readonly sourcePath: (source: string) => string;
}

// esbuild names chunks `[name]-[hash]`, the hash 8 base32 characters
const HASHED_NAME = /-[A-Z0-9]{8}\.mjs\b/g;
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/u;

/** Builds `entry` (relative to `root`) as deployed and with source maps, in memory, and pairs the files. */
export async function bundleSourceMaps(root: string, entry: string): Promise<BundleSourceMaps> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'dcr-stack-trace-'));
  try {
    const deployedDir = path.join(work, 'deployed');
    const mappedDir = path.join(work, 'mapped');
    buildFunction(root, entry, deployedDir);
    buildFunction(root, entry, mappedDir, { sourceMaps: 'external' });

    const twins = new Map<string, { code: BuiltFile; map?: BuiltFile }>();
    const mapped = filesOf(mappedDir);
    const byPath = new Map(mapped.map((file) => [file.path, file]));
    for (const file of mapped) {
      if (file.path.endsWith('.map')) continue;
      twins.set(masked(file), { code: file, map: byPath.get(`${file.path}.map`) });
    }

    const files = new Map<string, MappedBundleFile>();
    for (const file of filesOf(deployedDir)) {
      const name = path.basename(file.path);
      // a merged chunk's forwarder (infra/static-chunks.ts) holds no code a frame could be in
      if (isForwarder(file.text)) continue;
      const twin = twins.get(masked(file));
      // the premise of this tool: were it to break (an esbuild upgrade), no frame could be trusted
      if (!twin?.map) throw new Error(`${name} has no twin in the source-mapped build: the two builds differ in more than chunk names`);
      files.set(name, mappedFile(name, file.text, new SourceMap(JSON.parse(twin.map.text) as RawSourceMap)));
    }
    return { files, sourcePath: (source) => path.relative(root, path.resolve(mappedDir, source)).split(path.sep).join('/') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface BuiltFile {
  readonly path: string;
  readonly text: string;
}

function filesOf(dir: string): BuiltFile[] {
  return readdirSync(dir).map((file) => ({ path: path.join(dir, file), text: readFileSync(path.join(dir, file), 'utf8') }));
}

/** The file's name and code with every chunk hash masked: the same for a file and its source-mapped twin. */
function masked(file: BuiltFile): string {
  return `${path.basename(file.path).replace(HASHED_NAME, '-#.mjs')}\n${file.text.replace(HASHED_NAME, '-#.mjs')}`;
}

function mappedFile(name: string, code: string, map: SourceMap): MappedBundleFile {
  const lines = code.split('\n');
  let renamed: Map<string, Set<string>> | undefined;
  return {
    name,
    lines,
    map,
    renamed: () => {
      if (renamed) return renamed;
      renamed = new Map();
      for (const { line, column, name: original } of map.namedPositions()) {
        const identifier = identifierAt(lines[line - 1] ?? '', column);
        if (identifier === undefined) continue;
        const originals = renamed.get(identifier) ?? new Set();
        originals.add(original);
        renamed.set(identifier, originals);
      }
      return renamed;
    },
  };
}

/** The identifier starting at `column` (0-based) of a line of code, if one does. */
export function identifierAt(line: string, column: number): string | undefined {
  return IDENTIFIER.exec(line.slice(column, column + 256))?.[0];
}
