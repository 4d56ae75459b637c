// `npm run bench:cold`: what each route's bundle costs at a cold start, against the least any route
// needs (the DynamoDB and SSM clients, bundled with the same options).
//
// Builds every route exactly as the stack does (infra/bundling.ts), builds the floor, then imports each
// bundle in fresh Node processes, interleaved (floor, register, read, ... floor, register, ...) so that
// drift in the machine's speed falls on all alike. Prints, per bundle: the files and KB loaded at import
// (lazily loaded chunks apart), import CPU time and wall time (min / median) and the ratios to the floor.
//
//   npm run bench:cold                 # 21 rounds
//   npm run bench:cold -- --rounds 41

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildFunction } from '../infra/bundling.js';
import { ROUTES } from '../infra/routes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 21;

// One fresh process per measurement: the import of index.mjs with what it loads statically. It prints
// the CPU time the import took (user + system): unlike wall time, it does not count waiting for a core,
// so it stays comparable on a busy machine; wall time is printed too.
const IMPORT_PROBE =
  'const cpu = process.cpuUsage(); const started = performance.now(); await import(process.argv[1]); ' +
  'const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify([(used.user + used.system) / 1000, performance.now() - started]));';

interface Bundle {
  readonly name: string;
  readonly dir: string;
  readonly cpu: number[];
  readonly wall: number[];
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'dcr-cold-'));
  try {
    const bundles: Bundle[] = [{ name: 'floor (DynamoDB + SSM)', dir: path.join(work, 'floor'), cpu: [], wall: [] }];
    buildFunction(ROOT, 'bench/cold-start-floor.ts', bundles[0]!.dir);
    for (const route of ROUTES) {
      const dir = path.join(work, route.name);
      buildFunction(ROOT, route.entry, dir);
      bundles.push({ name: route.name, dir, cpu: [], wall: [] });
    }
    // environment of a deployed function, so module-level code takes the paths it takes in AWS; the
    // SDK's warning that it will need Node 22 is written only on Node 20 (this machine, not Lambda),
    // and the floor, which builds its clients at load, would pay for writing it
    const env = { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (let round = 0; round < rounds; round++) {
      for (const bundle of bundles) {
        const url = pathToFileURL(path.join(bundle.dir, 'index.mjs')).href;
        const output = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, url], { env, encoding: 'utf8' });
        if (round === 0) continue; // the first round warms the file cache
        const [cpu, wall] = JSON.parse(output) as [number, number];
        bundle.cpu.push(cpu);
        bundle.wall.push(wall);
      }
    }
    report(bundles);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** KB loaded at import: index.mjs and the chunks it imports statically (not those behind import()). */
function loadedKb(dir: string): { loaded: number; lazy: number; files: number } {
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
  return { loaded: size([...seen]), lazy: size(all.filter((file) => !seen.has(file))), files: seen.size };
}

function report(bundles: Bundle[]) {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const floor = bundles[0]!;
  const floorKb = loadedKb(floor.dir).loaded;
  console.log(`Import of each bundle in a fresh Node ${process.version} process, ${rounds - 1} rounds, interleaved\n`);
  console.log(
    'bundle'.padEnd(24) +
      ['files', 'loaded KB', 'lazy KB', '+KB', 'CPU min', 'CPU median', '× floor', 'wall median', '× floor']
        .map((title) => title.padStart(12))
        .join(''),
  );
  for (const bundle of bundles) {
    const { loaded, lazy, files } = loadedKb(bundle.dir);
    const extra = loaded - floorKb;
    const cells = [
      String(files),
      loaded.toFixed(0),
      lazy.toFixed(0),
      bundle === floor ? '' : `${extra < 0 ? '−' : '+'}${Math.abs(extra).toFixed(0)}`,
      `${Math.min(...bundle.cpu).toFixed(1)} ms`,
      `${median(bundle.cpu).toFixed(1)} ms`,
      (median(bundle.cpu) / median(floor.cpu)).toFixed(3),
      `${median(bundle.wall).toFixed(1)} ms`,
      (median(bundle.wall) / median(floor.wall)).toFixed(3),
    ];
    console.log(bundle.name.padEnd(24) + cells.map((cell) => cell.padStart(12)).join(''));
  }
  console.log("\nTargets: every route ≤ 1.05 × the floor's median import time and ≤ floor + 40 KB loaded.");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
