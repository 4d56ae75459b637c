// Everything that can be replaced without losing data: one function per route of ROUTES, the REST API
// in front of them (with its throttling, resource policy and optional WAF web ACL from
// infra/protection.ts), and the SSM parameters that hold the settings (seeded from SETTINGS).

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { DEFAULT_SETTINGS, SETTINGS } from '../lib/settings/catalog.js';
import { environmentOf } from '../lib/settings/environment.js';
import { routeCode } from './bundling.js';
import { type DcrConfig, ssmPrefix } from './config.js';
import { ApiFirewall, registrationResourcePolicy, routeMethodOptions } from './protection.js';
import { REGISTRATION_PATH, ROUTES, type Route } from './routes.js';

/** The repository root: this file lives in `<root>/infra/`, whether run by tsx or by vitest. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StatelessStackProps extends StackProps {
  readonly config: DcrConfig;
  readonly table: ITableV2;
  readonly secretKey: IKey;
  /** The table of the initial access tokens this service issues (`npm run admin -- iat`). */
  readonly initialAccessTokenTable: ITableV2;
}

export class StatelessStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly functions: ReadonlyMap<Route['name'], lambda.Function>;
  readonly settingsParameters: readonly ssm.StringParameter[];
  /** The WAF web ACL on the stage, when `waf` is on. */
  readonly firewall: ApiFirewall | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, secretKey, initialAccessTokenTable } = props;
    const prefix = ssmPrefix(config.stage);

    // The seed values of the settings. Operators flip a flag with `aws ssm put-parameter --overwrite`;
    // CloudFormation only writes a parameter again when its template value changes (a new seed default
    // in SETTINGS), so a deploy keeps the operators' values unless the default itself moved. A changed
    // default therefore resets that one flag on the next deploy: say so in the release note.
    this.settingsParameters = SETTINGS.map((definition) => {
      if (definition.defaultValue === '') {
        // SSM refuses empty values, and the stack would fail only at deploy time.
        throw new Error(`setting ${definition.parameter} needs a non-empty seed default for its SSM parameter`);
      }
      return new ssm.StringParameter(this, `Setting-${definition.parameter}`, {
        parameterName: `${prefix}${definition.parameter}`,
        stringValue: definition.defaultValue,
        description: definition.label,
        tier: ssm.ParameterTier.STANDARD,
      });
    });

    // Tokens issued by this service (its own table) are always accepted; the warning is about the
    // tokens of an authorization server.
    const jwtConfigured = config.iatIssuer !== undefined && config.iatJwksUri !== undefined;
    if (DEFAULT_SETTINGS.requireInitialAccessToken && !jwtConfigured && config.iatIntrospection === undefined) {
      Annotations.of(this).addWarning(
        `"Require Initial Access Token" is on by default (${prefix}require-initial-access-token), and neither ` +
          'JWT verification (context iatIssuer and iatJwksUri) nor token introspection (context iatIntrospectionUrl, ' +
          'iatIntrospectionClientId and iatIntrospectionClientSecretParameter) is configured: until one is, JWTs and ' +
          'introspected tokens are not accepted, and registration works only with tokens issued by this service ' +
          '(npm run admin -- iat create).',
      );
    }

    const introspection = config.iatIntrospection;
    // lib/settings/environment.ts names each variable and parses it in the functions
    const environment = environmentOf({
      tableName: table.tableName,
      ssmPrefix: prefix,
      settingsTtlSeconds: String(config.settingsTtlSeconds),
      secretKeyId: secretKey.keyArn,
      iatTableName: initialAccessTokenTable.tableName,
      stage: config.stage,
      iatIssuer: config.iatIssuer,
      iatJwksUri: config.iatJwksUri,
      iatAudience: config.iatAudience,
      // the secret's name only (DCR_IAT_INTROSPECTION_CLIENT_SECRET is for local mode): register reads it from SSM
      iatIntrospectionUrl: introspection?.url,
      iatIntrospectionClientId: introspection?.clientId,
      iatIntrospectionClientSecretParameter: introspection?.clientSecretParameter,
      iatIntrospectionCacheSeconds: introspection?.cacheSeconds?.toString(),
      publicBaseUrl: config.publicBaseUrl,
    });

    // Every function reads all settings in one GetParameters call: that action on these ARNs, no more.
    const readSettings = new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ssm:GetParameters'],
      resources: this.settingsParameters.map((parameter) => parameter.parameterArn),
    });

    // The introspection client secret: a SecureString the operator created, so only its ARN is known
    // here (the import adds nothing to the template). Decrypting with the default aws/ssm key needs no
    // KMS grant; a customer-managed key must allow the register role in its key policy.
    const introspectionSecretArn =
      introspection === undefined
        ? undefined
        : ssm.StringParameter.fromSecureStringParameterAttributes(this, 'IatIntrospectionClientSecret', {
            parameterName: introspection.clientSecretParameter,
          }).parameterArn;

    const functions = new Map<Route['name'], lambda.Function>();
    for (const route of ROUTES) {
      const id = pascalCase(route.name);
      const logGroup = new logs.LogGroup(this, `${id}Logs`, {
        retention: config.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const fn = new lambda.Function(this, `${id}Function`, {
        description: `DCR ${route.method} ${route.path} (${config.stage})`,
        // infra/bundling.ts: the route's entry and only what it imports, bundled here with esbuild
        code: routeCode(REPO_ROOT, route.entry),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(10),
        logGroup,
        environment,
      });
      // Least privilege: exactly the route's table actions (never grantReadWriteData).
      fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...route.tableActions],
          resources: [table.tableArn],
        }),
      );
      if (route.keyActions.length) {
        fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: [...route.keyActions], resources: [secretKey.keyArn] }));
      }
      if (route.tokenTableActions.length) {
        fn.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: [...route.tokenTableActions],
            resources: [initialAccessTokenTable.tableArn],
          }),
        );
      }
      if (introspectionSecretArn !== undefined && route.secretParameterActions.length) {
        fn.addToRolePolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions: [...route.secretParameterActions], resources: [introspectionSecretArn] }),
        );
      }
      fn.addToRolePolicy(readSettings);
      functions.set(route.name, fn);
    }
    this.functions = functions;

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `dcr-${config.stage}`,
      description: `OAuth 2.0 Dynamic Client Registration (${config.stage})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Access logging needs the account's API Gateway CloudWatch role; retained when the stack goes.
      cloudWatchRole: config.apiGatewayCloudWatchRole,
      // Part of the RestApi's own properties, which the Deployment's logical id hashes: a changed
      // policy makes a new deployment, so it takes effect without a manual redeploy.
      policy: registrationResourcePolicy(config.registrationAllowedCidrs),
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.throttlingRateLimit,
        throttlingBurstLimit: config.throttlingBurstLimit,
        methodOptions: routeMethodOptions(config),
        metricsEnabled: true,
        // Request and response bodies carry secrets and tokens: never log them.
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });

    for (const route of ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      const fn = functions.get(route.name)!;
      resource.addMethod(route.method, new apigateway.LambdaIntegration(fn, { proxy: true }));
    }

    this.firewall =
      config.waf === undefined
        ? undefined
        : new ApiFirewall(this, 'Firewall', { name: `dcr-${config.stage}`, stage: this.api.deploymentStage, waf: config.waf });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API stage',
      value: this.api.url,
    });
    new CfnOutput(this, 'RegistrationEndpoint', {
      description: 'RFC 7591 client registration endpoint',
      value: this.api.urlForPath(REGISTRATION_PATH),
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table of the registered clients',
      value: table.tableName,
    });
    new CfnOutput(this, 'InitialAccessTokenTableName', {
      description: 'DynamoDB table of the initial access tokens of this service (npm run admin -- iat ... --table <name>)',
      value: initialAccessTokenTable.tableName,
    });
    if (this.firewall !== undefined) {
      new CfnOutput(this, 'WebAclArn', {
        description: 'AWS WAF web ACL on the API stage',
        value: this.firewall.webAcl.attrArn,
      });
    }
    new CfnOutput(this, 'SettingsPrefix', {
      description: 'SSM prefix of the settings (aws ssm put-parameter --overwrite --name <prefix><setting>)',
      value: prefix,
    });
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|[-_])([a-z])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
}
