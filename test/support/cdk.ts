import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
export function synthesizer(options: { bundle: boolean }): (context: Record<string, unknown>) => Synthesized {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });
  return (context) => {
    const outdir = mkdtempSync(join(tmpdir(), 'dcr-cdk-test-'));
    outdirs.push(outdir);
    const stage = buildApp(options.bundle ? context : { 'aws:cdk:bundling-stacks': [], ...context }, { outdir });
    return { stage, stateful: Template.fromStack(stage.stateful), stateless: Template.fromStack(stage.stateless) };
  };
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** The context is refused with a ConfigError that names `key` (and matches `message`, when given). */
export function expectConfigError(context: Record<string, unknown>, key: string, message?: RegExp): void {
  const error = thrownBy(() => configFromContext(context), ConfigError);
  expect(error.key).toBe(key);
  expect(error.message).toContain(`CDK context "${key}"`);
  if (message) expect(error.message).toMatch(message);
}
