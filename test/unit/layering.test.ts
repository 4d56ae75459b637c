import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The floors of lib/, top to bottom (docs/architecture.md). A module may import its own floor and the
// floors below it, never one above: adapters (store) import the ports of the floors they serve, the
// use cases never import an adapter, and the ground floor (errors, log) imports nothing of ours.
const FLOORS: readonly (readonly string[])[] = [
  ['lib/runtime'],
  ['lib/store'],
  ['lib/directory', 'lib/events'],
  ['lib/registration'],
  ['lib/settings'],
  ['lib/policies'],
  ['lib/metadata'],
  ['lib/tokens'],
  ['lib/http'],
  ['lib/errors.ts', 'lib/log.ts', 'lib/metrics.ts', 'lib/time-budget.ts', 'lib/load-on-first-use.ts'],
];

function floorOf(file: string): number {
  const index = FLOORS.findIndex((rooms) => rooms.some((room) => file === room || file.startsWith(`${room}/`)));
  if (index < 0) throw new Error(`${file} is on no floor: add its folder to FLOORS`);
  return index;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic import() calls. */
function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;
  return [...source.matchAll(pattern)].map((match) => match[1]!);
}

function upwardImports(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles('lib')) {
    const from = floorOf(file);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const target = normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (!target.startsWith('lib/')) {
        found.push(`${file} imports ${specifier}, outside lib/`);
        continue;
      }
      if (floorOf(target) < from) found.push(`${file} imports ${relative('.', target)}, a floor above it`);
    }
  }
  return found;
}

describe('lib/ imports point one way', () => {
  it('finds the imports it checks (a check that reads nothing cannot fail)', () => {
    const runtime = importsOf(readFileSync('lib/runtime/core.ts', 'utf8'));
    expect(runtime.length).toBeGreaterThan(5);
    expect(importsOf("import { a } from './x.js';\nexport { b } from '../y.js';\nawait import('./z.js');")).toEqual([
      './x.js',
      '../y.js',
      './z.js',
    ]);
  });

  it('no module of lib/ imports a floor above its own', () => {
    expect(upwardImports()).toEqual([]);
  });
});
