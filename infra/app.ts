// The CDK app that cdk.json runs: `cdk synth|deploy [-c stage=prod] [-c iatIssuer=... ...]`.
// The context keys and their defaults are documented in infra/config.ts.

import { App } from 'aws-cdk-lib';
import { APP_CONTEXT, addStage, defaultEnvironment } from './stages.js';

const app = new App({ context: { ...APP_CONTEXT } });
addStage(app, defaultEnvironment());
app.synth();
