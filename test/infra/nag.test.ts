// cdk-nag's AwsSolutions and Serverless packs (and CDK's own CloudFormation validation) over the
// synthesized stacks of every kind of deployment: no finding may be left unacknowledged. Each
// acknowledgement sits in infra/ next to what it is about, with its reason.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/stages.js';
import { EVERYTHING_ON } from '../support/cdk.js';

interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: readonly string[];
}

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/** Synthesizes `app` with both packs attached and returns every finding of the validation report. */
function findings(makeApp: (outdir: string) => App): Finding[] {
  const outdir = mkdtempSync(join(tmpdir(), 'dcr-nag-test-'));
  outdirs.push(outdir);
  const app = makeApp(outdir);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  try {
    app.synth();
  } catch (error) {
    // a failed validation throws after writing the report, which is what this test reads
    if ((error as Error).name !== 'ValidationFailed') throw error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity,
      paths: violation.violatingConstructs.map((construct) => construct.constructPath),
    })),
  );
}

const stage = (context: Record<string, unknown>) => (outdir: string) =>
  buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { outdir }).app;

describe('cdk-nag (AwsSolutions and Serverless)', () => {
  it('reports a finding it is not told about (the check works)', () => {
    const found = findings((outdir) => {
      const app = new App({ outdir });
      new lambda.Function(new Stack(app, 'Control'), 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {};'),
      });
      return app;
    });
    expect(found.map((finding) => finding.rule)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/),
        'Serverless-LambdaDLQ',
      ]),
    );
  });

  it.each([
    ['dev defaults', {}],
    ['prod with every option on', { ...EVERYTHING_ON, alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:dcr-alarms' }],
    ['tracing off', { tracing: 'false' }],
    ['LocalStack', { localstack: 'true', stage: 'local' }],
  ])('leaves no finding unacknowledged: %s', (_name, context) => {
    expect(findings(stage(context))).toEqual([]);
  });
});
