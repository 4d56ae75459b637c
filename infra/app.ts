// The CDK app that cdk.json runs: `cdk synth|deploy [-c stage=prod] [-c iatIssuer=... ...]`.
// The context keys and their defaults are documented in infra/config.ts.

import { App } from 'aws-cdk-lib';
import { APP_CONTEXT, addStage, contextEnvironment } from './stages.js';

const app = new App({ context: { ...APP_CONTEXT } });
addStage(
  app,
  contextEnvironment((key) => app.node.tryGetContext(key)),
);
app.synth();
