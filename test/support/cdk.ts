import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement, Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, expect } from 'vitest';
import { ConfigError, configFromContext } from '../../infra/config.js';
import { buildApp, type DcrStage } from '../../infra/stages.js';
import { thrownBy } from './thrown.js';

// Shared pieces of the CDK assertion tests: synthesis into throwaway folders, template look-ups, and
// the check of a refused context value.

export interface Synthesized {
  readonly stage: DcrStage;
  readonly stateful: Template;
  readonly stateless: Template;
}

export type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
};

/**
 * A synthesis function for one test file; each call synthesizes a stage into its own folder, removed
 * after the file. `bundle: false` skips esbuild for files whose assertions do not depend on the code.
 */
export function synthesizer(options: { bundle: boolean }): (context: Record<string, unknown>, env?: Environment) => Synthesized {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });
  return (context, env) => {
    const outdir = mkdtempSync(join(tmpdir(), 'dcr-cdk-test-'));
    outdirs.push(outdir);
    const stage = buildApp(options.bundle ? context : { 'aws:cdk:bundling-stacks': [], ...context }, {
      outdir,
      ...(env !== undefined && { env }),
    });
    return { stage, stateful: Template.fromStack(stage.stateful), stateless: Template.fromStack(stage.stateless) };
  };
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/**
 * The four route functions of a stage's stateless template (not the provider function that seeds the
 * settings parameters), by logical id.
 */
export function routeFunctions(synthesized: Synthesized): Record<string, Resource> {
  const stack = synthesized.stage.stateless;
  const ids = new Set([...stack.functions.values()].map((fn) => stack.getLogicalId(fn.node.defaultChild as CfnElement)));
  return Object.fromEntries(Object.entries(resourcesOf(synthesized.stateless, 'AWS::Lambda::Function')).filter(([id]) => ids.has(id)));
}

/** The context is refused with a ConfigError that names `key` (and matches `message`, when given). */
export function expectConfigError(context: Record<string, unknown>, key: string, message?: RegExp): void {
  const error = thrownBy(() => configFromContext(context), ConfigError);
  expect(error.key).toBe(key);
  expect(error.message).toContain(`CDK context "${key}"`);
  if (message) expect(error.message).toMatch(message);
}

/** Every context option that adds something to the templates, but nothing naming an account or region. */
export const EVERYTHING_ON = {
  stage: 'prod',
  waf: 'true',
  registrationAllowedCidrs: '203.0.113.0/24',
  iatIssuer: 'https://idp.example.com',
  iatJwksUri: 'https://idp.example.com/jwks.json',
  iatIntrospectionUrl: 'https://idp.example.com/introspect',
  iatIntrospectionClientId: 'dcr',
  iatIntrospectionClientSecretParameter: '/dcr/prod/introspection-secret',
  publicBaseUrl: 'https://dcr.example.com',
};
