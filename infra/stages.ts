// Builds the three stacks of one stage into an App. app.ts runs it for the CLI; tests call buildApp with
// their own context, so they never execute app.ts.

import { App, type Environment, Tags } from 'aws-cdk-lib';
import { ConfigError, type ContextReader, type DcrConfig, readConfig } from './config.js';
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

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The account and region to pin the stacks to: only what the user passes (`-c account=123456789012
 * -c region=eu-west-1`). Without them the templates are environment-agnostic (no account, no region
 * in them) and `cdk deploy` deploys to the credentials' account and region. The CLI's CDK_DEFAULT_*
 * are deliberately not used: without credentials it sets CDK_DEFAULT_REGION to us-east-1, which would
 * pin an offline synth to that region.
 */
export function contextEnvironment(read: ContextReader): Environment | undefined {
  const account = optionalContext(read, 'account', ACCOUNT, 'a 12-digit AWS account id');
  const region = optionalContext(read, 'region', REGION, 'an AWS region name such as eu-west-1');
  if (account === undefined && region === undefined) return undefined;
  return { ...(account !== undefined && { account }), ...(region !== undefined && { region }) };
}

function optionalContext(read: ContextReader, key: string, pattern: RegExp, rule: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, `expected ${rule}, got ${JSON.stringify(value)}`);
  return value;
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
  /** Deployment environment; environment-agnostic when unset (tests do not read account/region context). */
  readonly env?: Environment;
  /** Where assets and templates go; a temporary directory when unset. */
  readonly outdir?: string;
}

/** A fresh App with `context` (the same keys as `-c`), holding one stage. */
export function buildApp(context: Readonly<Record<string, unknown>> = {}, options: BuildAppOptions = {}): DcrStage {
  const app = new App({ context: { ...APP_CONTEXT, ...context }, ...(options.outdir !== undefined && { outdir: options.outdir }) });
  return addStage(app, options.env);
}
