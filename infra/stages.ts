// Builds the three stacks of one stage into an App. app.ts runs it for the CLI; tests call buildApp with
// their own context, so they never execute app.ts.

import { App, type Environment, Tags } from 'aws-cdk-lib';
import { type DcrConfig, readConfig } from './config.js';
import { EventsStack } from './lifecycle-events.js';
import { StatefulStack } from './stateful-stack.js';
import { REPO_ROOT, StatelessStack } from './stateless-stack.js';

export interface DcrStage {
  readonly app: App;
  readonly config: DcrConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  /** The lifecycle events function on the client table's stream. */
  readonly events: EventsStack;
}

/**
 * Context the App always starts with (cdk.json and `-c` take precedence). Strong cross-stack
 * references (Fn::ImportValue) are what we want between the two stacks: CloudFormation then refuses to
 * delete the table's stack while the functions still use it. Set here rather than in cdk.json so tests
 * synthesize exactly what `cdk synth` does.
 */
export const APP_CONTEXT: Readonly<Record<string, unknown>> = {
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/**
 * The account and region to deploy to, when the CLI knows them (it sets CDK_DEFAULT_* from the
 * credentials it found). Without credentials both are unset and the stacks stay environment-agnostic,
 * so `cdk synth` works offline.
 */
export function defaultEnvironment(source: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = source.CDK_DEFAULT_ACCOUNT || undefined;
  const region = source.CDK_DEFAULT_REGION || undefined;
  if (account === undefined && region === undefined) return undefined;
  return { ...(account !== undefined && { account }), ...(region !== undefined && { region }) };
}

/**
 * Adds the stage named by the App's context (`-c stage=...`, default dev) to `app`, in `env`
 * (environment-agnostic when undefined).
 */
export function addStage(app: App, env: Environment | undefined): DcrStage {
  const config = readConfig((key) => app.node.tryGetContext(key));

  const stateful = new StatefulStack(app, `DcrStateful-${config.stage}`, {
    description: `OAuth 2.0 Dynamic Client Registration: client and initial access token tables, secret key (${config.stage})`,
    ...(env !== undefined && { env }),
    config,
    terminationProtection: config.production,
  });
  const stateless = new StatelessStack(app, `DcrStateless-${config.stage}`, {
    description: `OAuth 2.0 Dynamic Client Registration: API, functions and settings (${config.stage})`,
    ...(env !== undefined && { env }),
    config,
    table: stateful.table,
    secretKey: stateful.secretKey,
    initialAccessTokenTable: stateful.initialAccessTokenTable,
  });

  const events = new EventsStack(app, `DcrEvents-${config.stage}`, {
    description: `OAuth 2.0 Dynamic Client Registration: client lifecycle events on EventBridge (${config.stage})`,
    ...(env !== undefined && { env }),
    config,
    table: stateful.table,
    repoRoot: REPO_ROOT,
  });

  Tags.of(app).add('service', 'dcr');
  Tags.of(app).add('dcr:stage', config.stage);
  return { app, config, stateful, stateless, events };
}

export interface BuildAppOptions {
  /** Deployment environment; environment-agnostic when unset, whatever CDK_DEFAULT_* say. */
  readonly env?: Environment;
  /** Where assets and templates go; a temporary directory when unset. */
  readonly outdir?: string;
}

/** A fresh App with `context` (the same keys as `-c`), holding one stage. */
export function buildApp(context: Readonly<Record<string, unknown>> = {}, options: BuildAppOptions = {}): DcrStage {
  const app = new App({ context: { ...APP_CONTEXT, ...context }, ...(options.outdir !== undefined && { outdir: options.outdir }) });
  return addStage(app, options.env);
}
