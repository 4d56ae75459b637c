// Everything that can be replaced without losing data: one function per route of ROUTES, the REST API
// in front of them (with its throttling, resource policy and optional WAF web ACL from
// infra/protection.ts), the SSM parameters that hold the settings (created from SETTINGS when missing,
// infra/settings-parameters.ts), and the alarms and dashboard (infra/monitoring.ts).

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { DEFAULT_SETTINGS, SETTINGS, type Settings } from '../lib/settings/catalog.js';
import { ENVIRONMENT, environmentOf } from '../lib/settings/environment.js';
import { SEALING_CONTEXT_KEY } from '../lib/store/kms-secret-sealer.js';
import { routeCode, sourceMapsEnvironment } from './bundling.js';
import { type DcrConfig, ssmPrefix } from './config.js';
import { Monitoring } from './monitoring.js';
import { ApiFirewall, registrationResourcePolicy, routeMethodOptions } from './protection.js';
import { REGISTRATION_PATH, ROUTES, type Route } from './routes.js';
import { SettingsParameters } from './settings-parameters.js';

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
  readonly settingsParameters: SettingsParameters;
  readonly monitoring: Monitoring;
  /** The WAF web ACL on the stage, when `waf` is on. */
  readonly firewall: ApiFirewall | undefined;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, secretKey, initialAccessTokenTable } = props;
    const prefix = ssmPrefix(config.stage);

    // Created when missing, never overwritten: an operator's `aws ssm put-parameter` survives every deploy.
    this.settingsParameters = new SettingsParameters(this, 'Settings', {
      prefix,
      settings: SETTINGS,
      seedValues: config.localstack ? LOCALSTACK_SEEDS : {},
      retain: config.production,
      logRetention: config.logRetention,
    });
    const logRemoval = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

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
      resources: [...this.settingsParameters.arns],
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
        removalPolicy: logRemoval,
      });
      // Its own role, without the managed AWSLambdaBasicExecutionRole (logs:CreateLogGroup and
      // PutLogEvents on every log group): it writes to its own log group only.
      const role = new Role(this, `${id}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `DCR ${route.method} ${route.path} (${config.stage})`,
      });
      logGroup.grantWrite(role);
      const fn = new lambda.Function(this, `${id}Function`, {
        description: `DCR ${route.method} ${route.path} (${config.stage})`,
        // infra/bundling.ts: the route's entry and only what it imports, bundled here with esbuild
        code: routeCode(REPO_ROOT, route.entry, { sourceMaps: config.sourceMaps }),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(10),
        logGroup,
        role,
        tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
        environment: { ...environment, ...sourceMapsEnvironment(config) },
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
        // only with the sealer's encryption context {client_id: ...}, and nothing else in it
        fn.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: [...route.keyActions],
            resources: [secretKey.keyArn],
            conditions: {
              'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [SEALING_CONTEXT_KEY] },
              Null: { [`kms:EncryptionContext:${SEALING_CONTEXT_KEY}`]: 'false' },
            },
          }),
        );
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
      acknowledgeFunctionFindings(fn, role, config.tracing);
      functions.set(route.name, fn);
    }
    this.functions = functions;

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: logRemoval,
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
        tracingEnabled: config.tracing,
        // Request and response bodies carry secrets and tokens: never log them.
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(accessLogFormat()),
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
        : new ApiFirewall(this, 'Firewall', {
            name: `dcr-${config.stage}`,
            stage: this.api.deploymentStage,
            waf: config.waf,
            logRetention: config.logRetention,
            logRemovalPolicy: logRemoval,
          });

    // LocalStack serves the stage at http://<api id>.execute-api.localhost.localstack.cloud:4566/<stage>,
    // a host the handlers cannot recognise as API Gateway's: registration_client_uri needs the base.
    if (config.localstack && config.publicBaseUrl === undefined) {
      for (const fn of functions.values())
        fn.addEnvironment(ENVIRONMENT.publicBaseUrl.name, localstackBaseUrl(this.api.restApiId, config.stage));
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      alarms: config.alarms,
      apiStage: this.api.deploymentStage,
      functions,
      tables: [table, initialAccessTokenTable],
      ...(this.firewall !== undefined && { webAclName: this.firewall.name }),
    });
    acknowledgeApiFindings(this.api, config);

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

/** Seed values under `-c localstack=true`: a LocalStack stage is for trying the service out. */
const LOCALSTACK_SEEDS: Readonly<Record<string, string>> = Object.fromEntries(
  SETTINGS.filter((definition) =>
    (['registrationEnabled', 'managementEnabled'] satisfies (keyof Settings)[]).includes(definition.key as never),
  ).map((definition) => [definition.parameter, 'true']),
);

/** The base URL of a REST API stage under LocalStack's default host names. */
export function localstackBaseUrl(restApiId: string, stage: string): string {
  return `http://${restApiId}.execute-api.localhost.localstack.cloud:4566/${stage}`;
}

/**
 * The fields of the API access log line: who, what, the answer, where the time went and why it
 * failed. No header, query or body: those carry tokens.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  xrayTraceId: '$context.xrayTraceId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  stage: '$context.stage',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integration.error',
  errorResponseType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  wafResponseCode: '$context.wafResponseCode',
};

/**
 * The access log format: one JSON object. Every value a quoted string (API Gateway writes "-" for a
 * missing number), except the error message: API Gateway quotes and escapes `$context.error.messageString`
 * itself, and a quote inside a message would otherwise break the line's JSON.
 */
export function accessLogFormat(): string {
  return JSON.stringify(ACCESS_LOG_FIELDS).replace('"$context.error.message"', '$context.error.messageString');
}

function pascalCase(name: string): string {
  return name.replace(/(^|[-_])([a-z])/g, (_match, _separator: string, letter: string) => letter.toUpperCase());
}

// cdk-nag findings (AwsSolutions and Serverless packs, run by test/infra/nag.test.ts) that are
// acknowledged rather than fixed, each with its reason.

export const NODE_RUNTIME_REASON =
  'Node.js 22 is pinned on purpose: the bundle targets node22 and the service is tested on Node 22 and 24; moving the runtime is a release decision, not a template default';

function acknowledgeFunctionFindings(fn: lambda.Function, role: Role, tracing: boolean): void {
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: NODE_RUNTIME_REASON });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: NODE_RUNTIME_REASON });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'API Gateway invokes the function synchronously and returns its error to the caller; a dead-letter queue only receives failed asynchronous invocations',
  });
  if (!tracing) {
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: 'tracing turned off with -c tracing=false' });
  } else {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level permissions',
    });
  }
}

function acknowledgeApiFindings(api: apigateway.RestApi, config: DcrConfig): void {
  if (config.waf === undefined) {
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'the WAF web ACL is optional and priced (-c waf=true); without it the stage still has per-route throttling and, with registrationAllowedCidrs, a resource policy',
    });
  }
  if (!config.tracing) {
    Validations.of(api).acknowledge({ id: 'Serverless-APIGWXrayEnabled', reason: 'tracing turned off with -c tracing=false' });
  }
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'the handlers validate every body against RFC 7591/7592 and answer with the RFC error codes (invalid_client_metadata, invalid_redirect_uri); an API Gateway validator would answer in its own format',
  });
  for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
    Validations.of(api).acknowledge({
      id,
      reason:
        'OAuth 2.0 authorization is the service itself: initial access tokens (RFC 7591) and registration access tokens (RFC 7592) are verified by the handlers, and registration may be open by design',
    });
  }
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG6',
    reason:
      'the JSON access log carries status, latencies and the error message and type of every request; execution logs would go to a log group outside the stack without retention',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      'the account-wide role API Gateway needs to write access logs is the AWS managed one by design (or none: -c apiGatewayCloudWatchRole=false)',
  });
  Validations.of(api).acknowledge({
    id: 'Serverless-APIGWStructuredLogging',
    reason:
      'the access log is JSON: the check parses the format before substitution, where $context.error.messageString is not yet the quoted string API Gateway writes (see accessLogFormat)',
  });
}
