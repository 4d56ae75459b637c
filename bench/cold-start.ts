// `npm run bench:cold`: what each route's bundle costs at a cold start, against the least any route
// needs (the DynamoDB and SSM clients, bundled with the same options).
//
// Builds every route exactly as the stack does (infra/bundling.ts), builds the floor, then imports each
// bundle in fresh Node processes, interleaved (floor, register, read, ... floor, register, ...) so that
// drift in the machine's speed falls on all alike. Prints, per bundle: size of what is loaded at import
// (KB; lazily loaded chunks apart), import time (min / median ms) and the ratios to the floor.
//
//   npm run bench:cold                 # 21 rounds
//   npm run bench:cold -- --rounds 41

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleEntry } from '../infra/bundling.js';
import { ROUTES } from '../infra/routes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 21;

// One fresh process per measurement: the import of index.mjs with what it loads statically.
const IMPORT_PROBE =
  'const started = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - started));';

interface Bundle {
  readonly name: string;
  readonly dir: string;
  readonly times: number[];
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'dcr-cold-'));
  try {
    const bundles: Bundle[] = [{ name: 'floor (DynamoDB + SSM)', dir: path.join(work, 'floor'), times: [] }];
    await bundleEntry(ROOT, 'bench/cold-start-floor.ts', bundles[0]!.dir);
    for (const route of ROUTES) {
      const dir = path.join(work, route.name);
      await bundleEntry(ROOT, route.entry, dir);
      bundles.push({ name: route.name, dir, times: [] });
    }
    // environment of a deployed function, so module-level code takes the paths it takes in AWS
    const env = { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' };
    for (let round = 0; round < rounds; round++) {
      for (const bundle of bundles) {
        const url = pathToFileURL(path.join(bundle.dir, 'index.mjs')).href;
        const output = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, url], { env, encoding: 'utf8' });
        if (round > 0) bundle.times.push(Number(output)); // the first round warms the file cache
      }
    }
    report(bundles);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** KB loaded at import: index.mjs and the chunks it imports statically (not those behind import()). */
function loadedKb(dir: string): { loaded: number; lazy: number } {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},\s*]+from\s*)?["'](\.\/[^"']+)["']/g))
      visit(path.basename(match[1]!));
  };
  visit('index.mjs');
  const all = readdirSync(dir).filter((file) => file.endsWith('.mjs'));
  const size = (files: string[]) => files.reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0) / 1024;
  return { loaded: size([...seen]), lazy: size(all.filter((file) => !seen.has(file))) };
}

function report(bundles: Bundle[]) {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const floor = bundles[0]!;
  const floorKb = loadedKb(floor.dir).loaded;
  const floorMedian = median(floor.times);
  console.log(`Import time of each bundle in a fresh Node ${process.version} process, ${rounds - 1} rounds, interleaved\n`);
  console.log(
    `${'bundle'.padEnd(24)}${'loaded KB'.padStart(10)}${'lazy KB'.padStart(9)}${'+KB'.padStart(7)}${'min ms'.padStart(9)}${'median ms'.padStart(11)}${'× floor'.padStart(9)}`,
  );
  for (const bundle of bundles) {
    const { loaded, lazy } = loadedKb(bundle.dir);
    const med = median(bundle.times);
    console.log(
      bundle.name.padEnd(24) +
        loaded.toFixed(0).padStart(10) +
        lazy.toFixed(0).padStart(9) +
        (bundle === floor ? '' : `+${(loaded - floorKb).toFixed(0)}`).padStart(7) +
        Math.min(...bundle.times)
          .toFixed(1)
          .padStart(9) +
        med.toFixed(1).padStart(11) +
        (med / floorMedian).toFixed(3).padStart(9),
    );
  }
  console.log("\nTargets: every route ≤ 1.05 × the floor's median import time and ≤ floor + 40 KB loaded.");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
