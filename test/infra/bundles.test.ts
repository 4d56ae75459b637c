// What each route's bundle compiles at a cold start. Each route is built as the stack builds it
// (infra/bundling.ts, with esbuild's metafile and nothing written), and the modules reached from
// index.mjs through static imports are compared with those only optional features run: those must
// be reached only through `import()` (chunks loaded on first need, lib/load-on-first-use.ts).

import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../infra/bundling.js';
import { ROUTES, type RouteName } from '../../infra/routes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Modules a route with the default settings never runs; each is loaded by the feature named. */
const ON_FIRST_NEED: Readonly<Record<string, string>> = {
  'lib/metadata/https-document-fetcher.ts': 'a sector_identifier_uri (or local-fetch mode)',
  // tokens of this service are the stack's default form (and required by default): theirs is loaded at start
  'lib/tokens/initial-access-token.ts': 'an initial access token that is a JWT (DCR_IAT_ISSUER)',
  'lib/runtime/introspection-verifier-of.ts': 'an opaque initial access token (DCR_IAT_INTROSPECTION_URL)',
  'lib/tokens/introspection-verifier.ts': 'an opaque initial access token (DCR_IAT_INTROSPECTION_URL)',
  'lib/settings/ssm-secure-string.ts': 'an opaque initial access token (DCR_IAT_INTROSPECTION_URL)',
  'lib/policies/config.ts': 'a registration policy configured',
  'lib/policies/software-statement.ts': 'a registration policy configured',
  'lib/policies/scopes.ts': 'a registration policy configured',
  'lib/policies/trusted-redirect-hosts.ts': 'a registration policy configured',
  'lib/policies/caps-schema.ts': 'a registration policy configured',
  'lib/policies/request-values.ts': 'a registration policy configured',
  'lib/policies/caps.ts': 'a registration policy configured (caps among them), or a client holding cap places',
  'lib/tokens/jwt-refusal.ts': 'a software statement or an initial access token to verify',
  'lib/store/dynamodb-client-quota.ts': 'a place to take or give back in a client cap',
  'lib/store/kms-secret-sealer.ts': 'a client secret that must stay recoverable',
  'lib/tokens/secret-sealer.ts': 'a client secret that must stay recoverable, in local mode',
  'lib/settings/env-settings.ts': 'local mode (settings from DCR_* variables)',
};

/** What only the admin tool runs: no function bundles it at all. */
const ADMIN_ONLY: readonly string[] = ['lib/store/dynamodb-client-listing.ts'];

interface RouteBundle {
  /** Inputs compiled at import: those of index.mjs and of the chunks it imports statically. */
  readonly atImport: ReadonlySet<string>;
  /** Inputs of every output, chunks behind `import()` included. */
  readonly anywhere: ReadonlySet<string>;
}

async function bundleOf(entry: string): Promise<RouteBundle> {
  const { metafile } = await build({
    ...bundleOptions(path.join(ROOT, entry), path.join(ROOT, 'cdk.out', 'bundles-test')),
    absWorkingDir: ROOT,
    metafile: true,
    write: false,
  });
  const outputs = (metafile as Metafile).outputs;
  const index = Object.keys(outputs).find((name) => name.endsWith('index.mjs'))!;
  const loaded = new Set<string>();
  const visit = (name: string) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const imported of outputs[name]!.imports) if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
  };
  visit(index);
  const inputsOf = (names: Iterable<string>) => new Set([...names].flatMap((name) => Object.keys(outputs[name]!.inputs)));
  return { atImport: inputsOf(loaded), anywhere: inputsOf(Object.keys(outputs)) };
}

const bundles = new Map<RouteName, RouteBundle>();

beforeAll(async () => {
  for (const route of ROUTES) bundles.set(route.name, await bundleOf(route.entry));
});

describe('what a route compiles at a cold start', () => {
  it.each(ROUTES.map((route) => [route.name, route.entry] as const))('%s loads its use case at import', (name, entry) => {
    const { atImport } = bundles.get(name)!;
    // a graph read wrongly (an empty one) would pass every check below
    expect(atImport).toContain(entry);
    expect([...atImport].filter((input) => input.startsWith('lib/registration/')).length).toBeGreaterThan(3);
  });

  it.each(ROUTES.map((route) => route.name))('%s loads no optional feature at import', (name) => {
    const { atImport } = bundles.get(name)!;
    const eager = Object.keys(ON_FIRST_NEED).filter((input) => atImport.has(input));
    expect(eager.map((input) => `${input} (needed only by ${ON_FIRST_NEED[input]})`)).toEqual([]);
  });

  it.each(ROUTES.map((route) => route.name))('%s carries nothing of the admin tool', (name) => {
    const { anywhere } = bundles.get(name)!;
    expect(ADMIN_ONLY.filter((input) => anywhere.has(input))).toEqual([]);
  });

  it('still bundles every optional feature, behind import()', () => {
    // a module renamed or dropped from the bundles would leave its entry above checking nothing
    const register = bundles.get('register')!;
    expect(Object.keys(ON_FIRST_NEED).filter((input) => !register.anywhere.has(input))).toEqual([]);
  });
});
