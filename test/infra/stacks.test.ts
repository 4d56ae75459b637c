// CDK assertions on the synthesized templates. Each distinct configuration is synthesized once per
// file (it bundles the four functions with the local esbuild); every test reads those templates.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, Stage } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromContext } from '../../infra/config.js';
import { ROUTES, type RouteName } from '../../infra/routes.js';
import { contextEnvironment } from '../../infra/stages.js';
import { SETTINGS } from '../../lib/settings/catalog.js';
import { SETTING_LABELS } from '../../lib/settings/catalog-docs.js';
import { ENVIRONMENT, readEnvironment } from '../../lib/settings/environment.js';
import { SEALING_CONTEXT_KEY } from '../../lib/store/kms-secret-sealer.js';
import { asArray, expectConfigError, type Resource, resourcesOf, routeFunctions, type Synthesized, synthesizer } from '../support/cdk.js';

type Resources = Record<string, Resource>;

const synth = synthesizer({ bundle: true });

const PROD_CONTEXT = {
  stage: 'prod',
  throttlingRateLimit: '200', // as `-c throttlingRateLimit=200` passes it
  throttlingBurstLimit: 400,
  logRetentionDays: 90,
  settingsTtlSeconds: 30,
  iatIssuer: 'https://idp.example.com',
  iatJwksUri: 'https://idp.example.com/jwks.json',
  iatAudience: 'https://dcr.example.com',
  publicBaseUrl: 'https://dcr.example.com/',
};

let dev: Synthesized;
let prod: Synthesized;
let mapped: Synthesized;

beforeAll(() => {
  dev = synth({});
  prod = synth(PROD_CONTEXT);
  mapped = synth({ sourceMaps: 'true' });
});

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** Logical id of the client table or of the initial access token table in the stateful template. */
function tableId(synthesized: Synthesized, which: 'clients' | 'tokens'): string {
  const stateful = synthesized.stage.stateful;
  const table = which === 'clients' ? stateful.table : stateful.initialAccessTokenTable;
  return stateful.getLogicalId(table.node.defaultChild as CfnElement);
}

/** The stateful stack's export of `value` (how the stateless stack imports it). */
function exportOf(synthesized: Synthesized, value: unknown): string {
  const outputs = synthesized.stateful.findOutputs('*') as Record<string, { Value: unknown; Export?: { Name: string } }>;
  const found = Object.values(outputs).filter(
    (output) =>
      JSON.stringify(output.Value) === JSON.stringify(value) && output.Export?.Name.startsWith(`${synthesized.stage.stateful.stackName}:`),
  );
  expect(found).toHaveLength(1);
  return found[0]!.Export!.Name;
}

const tableArnImport = (synthesized: Synthesized, which: 'clients' | 'tokens') => ({
  'Fn::ImportValue': exportOf(synthesized, { 'Fn::GetAtt': [tableId(synthesized, which), 'Arn'] }),
});

/** The statements of `routeName`'s role whose resource is `resource`. */
function statementsOn(synthesized: Synthesized, routeName: RouteName, resource: unknown) {
  return statementsOf(synthesized, routeName).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(resource));
}

function logicalId(synthesized: Synthesized, routeName: RouteName, child: 'fn' | 'role'): string {
  const fn = synthesized.stage.stateless.functions.get(routeName)!;
  const construct = child === 'fn' ? fn.node.defaultChild : fn.role!.node.defaultChild;
  return synthesized.stage.stateless.getLogicalId(construct as CfnElement);
}

/** The statements of every inline policy attached to the role of `routeName`'s function. */
function statementsOf(
  synthesized: Synthesized,
  routeName: RouteName,
): Array<{ Effect: string; Action: string | string[]; Resource: unknown }> {
  const roleId = logicalId(synthesized, routeName, 'role');
  return Object.values(resourcesOf(synthesized.stateless, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties!.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.Properties!.PolicyDocument.Statement);
}

/** API Gateway resource logical id -> full path, from the PathPart/ParentId chain. */
function resourcePaths(template: Template): Map<string, string> {
  const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const { ParentId, PathPart } = resources[id]!.Properties!;
    const parent = 'Ref' in ParentId ? pathOf(ParentId.Ref) : ''; // Fn::GetAtt RootResourceId
    const full = `${parent}/${PathPart}`;
    paths.set(id, full);
    return full;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

describe('stack names', () => {
  it('names the two stacks after the stage', () => {
    expect(dev.stage.stateful.stackName).toBe('DcrStateful-dev');
    expect(dev.stage.stateless.stackName).toBe('DcrStateless-dev');
    expect(prod.stage.stateful.stackName).toBe('DcrStateful-prod');
    expect(prod.stage.stateless.stackName).toBe('DcrStateless-prod');
  });

  it('protects the production table stack from termination only', () => {
    expect(prod.stage.stateful.terminationProtection).toBe(true);
    expect(dev.stage.stateful.terminationProtection).toBe(false);
  });

  it('makes the stateless stack depend on the stateful one', () => {
    expect(dev.stage.stateless.dependencies).toContain(dev.stage.stateful);
  });
});

describe('client table', () => {
  it('is keyed by client_id alone, on demand, encrypted with the AWS managed key, with TTL on idle_expires_at', () => {
    // the client table and the initial access token table, both TableV2
    dev.stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    dev.stateful.resourceCountIs('AWS::DynamoDB::Table', 0);
    const table = resourcesOf(dev.stateful, 'AWS::DynamoDB::GlobalTable')[tableId(dev, 'clients')]!;
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'client_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'client_id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(table.Properties!.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.Properties!.SSESpecification.KMSMasterKeyId).toBeUndefined();
    // only clients under idle expiry and the directory's jti records carry idle_expires_at (cap counters never do)
    expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'idle_expires_at', Enabled: true });
  });

  it('has point-in-time recovery in every stage', () => {
    for (const synthesized of [dev, prod]) {
      const table = resourcesOf(synthesized.stateful, 'AWS::DynamoDB::GlobalTable')[tableId(synthesized, 'clients')]!;
      expect(table.Properties!.Replicas).toEqual([
        expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ]);
    }
  });

  it('is deletion-protected and retained in prod', () => {
    const table = resourcesOf(prod.stateful, 'AWS::DynamoDB::GlobalTable')[tableId(prod, 'clients')]!;
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties!.Replicas).toEqual([expect.objectContaining({ DeletionProtectionEnabled: true })]);
  });

  it('is neither protected nor retained in dev', () => {
    const table = resourcesOf(dev.stateful, 'AWS::DynamoDB::GlobalTable')[tableId(dev, 'clients')]!;
    expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(table.Properties!.Replicas).toEqual([expect.objectContaining({ DeletionProtectionEnabled: false })]);
  });

  it('exports its name', () => {
    dev.stateful.hasOutput('TableName', { Value: { Ref: tableId(dev, 'clients') }, Export: { Name: 'dcr-dev-table-name' } });
  });
});

describe('initial access token table', () => {
  const tokenTable = (synthesized: Synthesized) =>
    resourcesOf(synthesized.stateful, 'AWS::DynamoDB::GlobalTable')[tableId(synthesized, 'tokens')]!;

  it('is keyed by token_id alone, on demand, encrypted with the AWS managed key', () => {
    const table = tokenTable(dev);
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'token_id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'token_id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(table.Properties!.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.Properties!.SSESpecification.KMSMasterKeyId).toBeUndefined();
    expect(tableId(dev, 'tokens')).not.toBe(tableId(dev, 'clients'));
  });

  it('lets DynamoDB delete expired tokens by purge_at', () => {
    expect(tokenTable(dev).Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'purge_at', Enabled: true });
  });

  it('has point-in-time recovery in every stage', () => {
    for (const synthesized of [dev, prod]) {
      expect(tokenTable(synthesized).Properties!.Replicas).toEqual([
        expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ]);
    }
  });

  it('is deletion-protected and retained in prod, neither in dev', () => {
    expect(tokenTable(prod)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(tokenTable(prod).Properties!.Replicas).toEqual([expect.objectContaining({ DeletionProtectionEnabled: true })]);
    expect(tokenTable(dev)).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(tokenTable(dev).Properties!.Replicas).toEqual([expect.objectContaining({ DeletionProtectionEnabled: false })]);
  });

  it('exports its name as InitialAccessTokenTableName', () => {
    dev.stateful.hasOutput('InitialAccessTokenTableName', {
      Value: { Ref: tableId(dev, 'tokens') },
      Export: { Name: 'dcr-dev-iat-table-name' },
    });
    prod.stateful.hasOutput('InitialAccessTokenTableName', {
      Value: { Ref: tableId(prod, 'tokens') },
      Export: { Name: 'dcr-prod-iat-table-name' },
    });
  });

  it('is given to every function as DCR_IAT_TABLE_NAME', () => {
    const nameImport = { 'Fn::ImportValue': exportOf(dev, { Ref: tableId(dev, 'tokens') }) };
    const functions = Object.values(routeFunctions(dev));
    expect(functions).toHaveLength(ROUTES.length);
    for (const fn of functions) expect(fn.Properties!.Environment.Variables.DCR_IAT_TABLE_NAME).toEqual(nameImport);
  });
});

describe('secret key', () => {
  it('is a rotating KMS key with a stage alias, retained in prod and not in dev', () => {
    for (const { stateful, stage, policy } of [
      { stateful: dev.stateful, stage: 'dev', policy: 'Delete' },
      { stateful: prod.stateful, stage: 'prod', policy: 'Retain' },
    ]) {
      stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: policy, Properties: Match.objectLike({ EnableKeyRotation: true }) });
      stateful.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/dcr-${stage}-client-secrets` });
    }
  });

  it('is given to the functions as DCR_SECRET_KEY_ID', () => {
    for (const fn of Object.values(routeFunctions(dev))) {
      expect(JSON.stringify(fn.Properties!.Environment.Variables.DCR_SECRET_KEY_ID)).toContain('DcrStateful-dev:');
    }
  });
});

describe('functions', () => {
  it('makes one function per route, arm64 on nodejs22.x, ESM bundle handler', () => {
    const functions = routeFunctions(dev);
    expect(Object.keys(functions)).toHaveLength(4);
    // and the provider function that creates missing settings parameters
    expect(Object.keys(resourcesOf(dev.stateless, 'AWS::Lambda::Function'))).toHaveLength(5);
    expect(ROUTES).toHaveLength(4);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
      });
    }
  });

  it('bundles each route on its own: its own handler, only registration with the token verifiers, KMS only as a lazy chunk', () => {
    const outdir = Stage.of(dev.stage.stateless)!.outdir;
    const functions = resourcesOf(dev.stateless, 'AWS::Lambda::Function');
    const keys = ROUTES.map((route) => functions[logicalId(dev, route.name, 'fn')]!.Properties!.Code.S3Key as string);
    expect(new Set(keys).size).toBe(ROUTES.length);
    ROUTES.forEach((route, index) => {
      const dir = join(outdir, `asset.${keys[index]!.replace(/\.zip$/, '')}`);
      const entry = readFileSync(join(dir, 'index.mjs'), 'utf8');
      // the route name the entry hands to routeHandler, and no other route's
      const named = ROUTES.filter((other) => entry.includes(`("${other.name}",`)).map((other) => other.name);
      expect(named).toEqual([route.name]);
      // a text of the initial access token verifier, in whichever of the route's files (names are minified)
      const verifies = readdirSync(dir).some((file) =>
        readFileSync(join(dir, file), 'utf8').includes('the issuer keys could not be fetched to verify the initial access token'),
      );
      expect(verifies).toBe(route.name === 'register');
      // the KMS client is in a chunk that index.mjs loads with import(), never statically
      const kmsChunks = readdirSync(dir).filter((file) => readFileSync(join(dir, file), 'utf8').includes('TrentService'));
      expect(kmsChunks.length).toBeGreaterThan(0);
      expect(kmsChunks).not.toContain('index.mjs');
    });
  });

  it('bundles without source maps unless -c sourceMaps=true, which adds linked maps and turns them on in Node', () => {
    const filesOf = (synthesized: Synthesized) =>
      Object.values(routeFunctions(synthesized)).map((fn) => {
        const dir = join(
          Stage.of(synthesized.stage.stateless)!.outdir,
          `asset.${(fn.Properties!.Code.S3Key as string).replace(/\.zip$/, '')}`,
        );
        return { fn, dir, files: readdirSync(dir) };
      });
    const plain = filesOf(dev);
    expect(plain).toHaveLength(ROUTES.length);
    for (const { fn, files } of plain) {
      expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
      expect(fn.Properties!.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
    const withMaps = filesOf(mapped);
    expect(withMaps).toHaveLength(ROUTES.length);
    for (const { fn, dir, files } of withMaps) {
      expect(files).toContain('index.mjs.map');
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8').trimEnd()).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map$/);
      expect(fn.Properties!.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    expectConfigError({ sourceMaps: 'yes' }, 'sourceMaps');
  });

  it('gives each function its own log group with the configured retention, destroyed in dev and retained in prod', () => {
    for (const [synthesized, retention, policy] of [
      [dev, 30, 'Delete'],
      [prod, 90, 'Retain'],
    ] as const) {
      for (const route of ROUTES) {
        const fn = resourcesOf(synthesized.stateless, 'AWS::Lambda::Function')[logicalId(synthesized, route.name, 'fn')]!;
        const logGroupId = fn.Properties!.LoggingConfig.LogGroup.Ref as string;
        const logGroup = resourcesOf(synthesized.stateless, 'AWS::Logs::LogGroup')[logGroupId]!;
        expect(logGroup.Properties!.RetentionInDays).toBe(retention);
        expect(logGroup).toMatchObject({ DeletionPolicy: policy, UpdateReplacePolicy: policy });
      }
      // four function log groups, the API access log group and the settings seeding's, all alike
      const groups = Object.values(resourcesOf(synthesized.stateless, 'AWS::Logs::LogGroup'));
      expect(groups.map((group) => [group.Properties!.RetentionInDays, group.DeletionPolicy])).toEqual(Array(6).fill([retention, policy]));
    }
  });

  it('keeps prod logs for a year unless logRetentionDays says otherwise', () => {
    expect(configFromContext({ stage: 'prod' }).logRetention).toBe(365);
    expect(configFromContext({ stage: 'prod', logRetentionDays: 90 }).logRetention).toBe(90);
    expect(configFromContext({}).logRetention).toBe(30);
  });

  it('sets the environment from the config (dev: no issuer, no public base URL)', () => {
    for (const fn of Object.values(routeFunctions(dev))) {
      const variables = fn.Properties!.Environment.Variables as Record<string, unknown>;
      expect(variables).toEqual({
        DCR_TABLE_NAME: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-dev:') },
        DCR_SSM_PREFIX: '/dcr/dev/',
        DCR_SETTINGS_TTL_SECONDS: '15',
        DCR_SECRET_KEY_ID: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-dev:') },
        DCR_IAT_TABLE_NAME: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-dev:') },
        DCR_STAGE: 'dev',
      });
    }
  });

  it('sets only variables of the environment catalogue, with values the functions parse', () => {
    const names = new Set(Object.values(ENVIRONMENT).map((definition) => definition.name));
    for (const synthesized of [dev, prod]) {
      for (const fn of Object.values(routeFunctions(synthesized))) {
        const variables = fn.Properties!.Environment.Variables as Record<string, unknown>;
        expect(Object.keys(variables).filter((name) => !names.has(name))).toEqual([]);
        const literal = Object.fromEntries(
          Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
        );
        expect(() => readEnvironment(literal)).not.toThrow();
      }
    }
  });

  it('passes the initial access token issuer and the public base URL when configured', () => {
    for (const fn of Object.values(routeFunctions(prod))) {
      expect(fn.Properties!.Environment.Variables).toEqual({
        DCR_TABLE_NAME: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-prod:') },
        DCR_SSM_PREFIX: '/dcr/prod/',
        DCR_SETTINGS_TTL_SECONDS: '30',
        DCR_SECRET_KEY_ID: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-prod:') },
        DCR_IAT_TABLE_NAME: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-prod:') },
        DCR_STAGE: 'prod',
        DCR_IAT_ISSUER: 'https://idp.example.com',
        DCR_IAT_JWKS_URI: 'https://idp.example.com/jwks.json',
        DCR_IAT_AUDIENCE: 'https://dcr.example.com',
        DCR_PUBLIC_BASE_URL: 'https://dcr.example.com',
      });
    }
  });

  it('points DCR_TABLE_NAME at the client table', () => {
    const nameImport = { 'Fn::ImportValue': exportOf(dev, { Ref: tableId(dev, 'clients') }) };
    for (const fn of Object.values(routeFunctions(dev))) {
      expect(fn.Properties!.Environment.Variables.DCR_TABLE_NAME).toEqual(nameImport);
    }
  });
});

describe('REST API', () => {
  it('is a regional API named after the stage, without CORS', () => {
    dev.stateless.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    dev.stateless.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'dcr-dev',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    dev.stateless.resourceCountIs('AWS::ApiGateway::Method', 4); // no OPTIONS methods
  });

  it('routes each method and path to its function through a proxy integration', () => {
    const paths = resourcePaths(dev.stateless);
    const methods = Object.values(resourcesOf(dev.stateless, 'AWS::ApiGateway::Method')).map((method) => ({
      method: method.Properties!.HttpMethod as string,
      path: paths.get(method.Properties!.ResourceId.Ref as string),
      type: method.Properties!.Integration.Type as string,
      integrationMethod: method.Properties!.Integration.IntegrationHttpMethod as string,
      uri: JSON.stringify(method.Properties!.Integration.Uri),
    }));
    const expected: Array<[string, string, RouteName]> = [
      ['POST', '/as/clients.oauth2', 'register'],
      ['GET', '/as/clients.oauth2/{clientId}', 'read'],
      ['PUT', '/as/clients.oauth2/{clientId}', 'update'],
      ['DELETE', '/as/clients.oauth2/{clientId}', 'delete'],
    ];
    expect(methods.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      expected.map(([method, path]) => `${method} ${path}`).sort(),
    );
    for (const [method, path, routeName] of expected) {
      const found = methods.find((candidate) => candidate.method === method && candidate.path === path)!;
      expect(found.type).toBe('AWS_PROXY');
      expect(found.integrationMethod).toBe('POST');
      expect(found.uri).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(dev, routeName, 'fn'), 'Arn'] }));
    }
    // the two paths share their resources: as, clients.oauth2, {clientId}
    expect([...paths.values()].sort()).toEqual(['/as', '/as/clients.oauth2', '/as/clients.oauth2/{clientId}']);
  });

  it('throttles the stage with the defaults, with metrics and JSON access logs', () => {
    const [, stage] = only(resourcesOf(dev.stateless, 'AWS::ApiGateway::Stage'));
    expect(stage.Properties!.StageName).toBe('dev');
    // the per-route settings that follow it are asserted in protection.test.ts
    const stageWide = (stage.Properties!.MethodSettings as Array<{ ResourcePath: string }>).filter(
      (setting) => setting.ResourcePath === '/*',
    );
    expect(stageWide).toEqual([
      {
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
        MetricsEnabled: true,
        DataTraceEnabled: false,
      },
    ]);
    const accessLogGroupId = dev.stage.stateless.getLogicalId(
      dev.stage.stateless.node.findChild('ApiAccessLogs').node.defaultChild as CfnElement,
    );
    expect(stage.Properties!.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogGroupId, 'Arn'] });
    // API Gateway writes $context.error.messageString as a quoted, escaped string
    const sample = (stage.Properties!.AccessLogSetting.Format as string).replace(
      '$context.error.messageString',
      JSON.stringify('say "hi"'),
    );
    const format = JSON.parse(sample) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', httpMethod: '$context.httpMethod' });
  });

  it('takes the throttling from the context', () => {
    prod.stateless.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: Match.arrayWith([Match.objectLike({ ResourcePath: '/*', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 })]),
    });
  });

  it('lets API Gateway invoke exactly the four functions', () => {
    const permissions = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Permission'));
    const invoked = new Set(permissions.map((permission) => JSON.stringify(permission.Properties!.FunctionName)));
    expect(invoked).toEqual(new Set(ROUTES.map((route) => JSON.stringify({ 'Fn::GetAtt': [logicalId(dev, route.name, 'fn'), 'Arn'] }))));
    for (const permission of permissions) expect(permission.Properties!.Principal).toBe('apigateway.amazonaws.com');
  });

  it('outputs the API URL, the registration endpoint, the table names and the SSM prefix', () => {
    dev.stateless.hasOutput('ApiUrl', {});
    dev.stateless.hasOutput('RegistrationEndpoint', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['/as/clients.oauth2'])] },
    });
    dev.stateless.hasOutput('TableName', { Value: { 'Fn::ImportValue': exportOf(dev, { Ref: tableId(dev, 'clients') }) } });
    dev.stateless.hasOutput('InitialAccessTokenTableName', {
      Value: { 'Fn::ImportValue': exportOf(dev, { Ref: tableId(dev, 'tokens') }) },
    });
    dev.stateless.hasOutput('SettingsPrefix', { Value: '/dcr/dev/' });
  });
});

describe('least privilege', () => {
  it('lets the register function only put clients and change cap counters in the client table, never read or delete them', () => {
    const clients = tableArnImport(dev, 'clients');
    expect(statementsOn(dev, 'register', clients)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: clients },
    ]);
  });

  it("grants each function exactly its route's client table actions on the client table ARN", () => {
    const clients = tableArnImport(dev, 'clients');
    const tokens = tableArnImport(dev, 'tokens');
    // caps: register takes places and delete gives them back, both by UpdateItem on counter items
    const expected: Record<string, string[]> = {
      register: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      read: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      update: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      delete: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    };
    for (const route of ROUTES) {
      const dynamo = statementsOf(dev, route.name).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('dynamodb:')),
      );
      const onClients = dynamo.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(clients));
      expect(onClients.flatMap((statement) => asArray(statement.Action)).sort()).toEqual(expected[route.name]);
      // every other DynamoDB statement is on the token table
      expect(dynamo.filter((statement) => !onClients.includes(statement)).map((statement) => statement.Resource)).toEqual(
        route.name === 'register' ? [tokens] : [],
      );
    }
  });

  it('lets only the register function read a token and take or give back a use (GetItem, UpdateItem) in the token table', () => {
    const tokens = tableArnImport(dev, 'tokens');
    expect(statementsOn(dev, 'register', tokens)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: tokens },
    ]);
    for (const route of ROUTES.filter((candidate) => candidate.name !== 'register')) {
      expect(statementsOn(dev, route.name, tokens)).toEqual([]);
    }
  });

  it('mentions the token table in no policy but the register role', () => {
    const tokenArnExport = exportOf(dev, { 'Fn::GetAtt': [tableId(dev, 'tokens'), 'Arn'] });
    const registerRole = { Ref: logicalId(dev, 'register', 'role') };
    const policies = Object.values(resourcesOf(dev.stateless, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes(tokenArnExport),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties!.Roles).toEqual([registerRole]);
    // nor does any other resource grant on it (a resource policy, a role's inline policy)
    const elsewhere = Object.entries(dev.stateless.toJSON().Resources as Resources).filter(
      ([, resource]) =>
        resource.Type !== 'AWS::IAM::Policy' &&
        resource.Type !== 'AWS::Lambda::Function' &&
        JSON.stringify(resource).includes(tokenArnExport),
    );
    expect(elsewhere).toEqual([]);
  });

  it('has no wildcard action, no scan and no batch or transaction access anywhere', () => {
    const statements = Object.values(resourcesOf(dev.stateless, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[] }>,
    );
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/^dynamodb:(Scan|Query|Batch|Transact|PartiQL)/);
    }
    expect(JSON.stringify(dev.stateless.toJSON())).not.toContain('dynamodb:*');
  });

  it('lets every function call only ssm:GetParameters, on exactly the setting parameters', () => {
    const expectedNames = SETTINGS.map((definition) => `/dcr/dev/${definition.parameter}`).sort();
    for (const route of ROUTES) {
      const statements = statementsOf(dev, route.name).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('ssm:')),
      );
      expect(statements).toHaveLength(1);
      const [statement] = statements;
      expect(statement!.Action).toBe('ssm:GetParameters');
      const resources = asArray(statement!.Resource) as Array<{ 'Fn::Join': [string, unknown[]] }>;
      // each ARN is arn:<partition>:ssm:<region>:<account>:parameter/dcr/dev/<setting>
      const names = resources.map((resource) => {
        const parts = resource['Fn::Join'][1];
        expect(parts.slice(0, 6)).toEqual([
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ssm:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
        ]);
        const tail = parts[parts.length - 1] as string;
        expect(tail).toMatch(/^:parameter\//);
        return tail.slice(':parameter'.length);
      });
      expect(names.sort()).toEqual(expectedNames);
      expect(JSON.stringify(resources)).not.toContain('*');
    }
  });

  it('grants nothing but the table, key, token table, settings, own log group and X-Ray statements (dev: no introspection secret)', () => {
    const allowed = (route: (typeof ROUTES)[number]) =>
      new Set<string>([
        ...route.tableActions,
        ...route.keyActions,
        ...route.tokenTableActions,
        'ssm:GetParameters',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]);
    for (const route of ROUTES) {
      const actions = statementsOf(dev, route.name).flatMap((statement) => asArray(statement.Action));
      expect(actions.filter((action) => !allowed(route).has(action))).toEqual([]);
    }
  });

  it('lets register only encrypt, read and update encrypt and decrypt, and delete not use the secret key', () => {
    const [keyId] = only(resourcesOf(dev.stateful, 'AWS::KMS::Key'));
    const expected: Record<string, string[]> = {
      register: ['kms:Encrypt'],
      read: ['kms:Decrypt', 'kms:Encrypt'],
      update: ['kms:Decrypt', 'kms:Encrypt'],
      delete: [],
    };
    for (const route of ROUTES) {
      const kms = statementsOf(dev, route.name).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('kms:')),
      );
      expect(kms.flatMap((statement) => asArray(statement.Action)).sort()).toEqual(expected[route.name]);
      for (const statement of kms) {
        expect(JSON.stringify(statement.Resource)).toContain('DcrStateful-dev:');
        // only with the sealer's encryption context: a client_id, and no other key
        expect((statement as { Condition?: unknown }).Condition).toEqual({
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [SEALING_CONTEXT_KEY] },
          Null: { [`kms:EncryptionContext:${SEALING_CONTEXT_KEY}`]: 'false' },
        });
      }
    }
    expect(keyId).toBeDefined();
  });
});

describe('settings parameters', () => {
  type Seed = { Create: string; Update?: string; Delete?: string };
  /** The SDK calls of each seeding custom resource, by parameter name. */
  const seeds = (synthesized: Synthesized) =>
    new Map(
      Object.values(resourcesOf(synthesized.stateless, 'Custom::DcrSettingParameter')).map((resource) => {
        const properties = resource.Properties as Seed;
        const create = JSON.parse(properties.Create) as { action: string; parameters: Record<string, unknown> };
        return [create.parameters.Name as string, { resource, create, properties }];
      }),
    );

  it('are not CloudFormation parameters, which a deploy would write back', () => {
    dev.stateless.resourceCountIs('AWS::SSM::Parameter', 0);
    prod.stateless.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  it('creates each setting only when missing: PutParameter without overwrite, an existing one left alone', () => {
    expect(SETTINGS.length).toBeGreaterThan(0);
    for (const [synthesized, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const found = seeds(synthesized);
      expect([...found.keys()].sort()).toEqual(SETTINGS.map((definition) => `/dcr/${stage}/${definition.parameter}`).sort());
      for (const definition of SETTINGS) {
        const { create } = found.get(`/dcr/${stage}/${definition.parameter}`)!;
        expect(create).toMatchObject({
          service: 'SSM',
          action: 'putParameter',
          parameters: { Value: definition.defaultValue, Type: 'String', Description: SETTING_LABELS[definition.key], Overwrite: false },
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
          physicalResourceId: { id: `/dcr/${stage}/${definition.parameter}` },
        });
      }
    }
  });

  it('makes no call on update, so a deploy never writes a value an operator set', () => {
    for (const synthesized of [dev, prod]) {
      for (const { properties } of seeds(synthesized).values()) expect(properties.Update).toBeUndefined();
    }
  });

  it('deletes the parameters with a dev stack and keeps them with a prod one', () => {
    for (const { properties } of seeds(dev).values()) {
      expect(JSON.parse(properties.Delete!)).toMatchObject({ action: 'deleteParameter', ignoreErrorCodesMatching: 'ParameterNotFound' });
    }
    for (const { properties } of seeds(prod).values()) expect(properties.Delete).toBeUndefined();
  });

  it('lets the seeding function only create (dev: and delete) these parameters and write its own log group', () => {
    for (const [synthesized, actions] of [
      [dev, ['ssm:PutParameter', 'ssm:DeleteParameter']],
      [prod, ['ssm:PutParameter']],
    ] as const) {
      const role = synthesized.stage.stateless.settingsParameters.node.findChild('SeedRole');
      const roleId = synthesized.stage.stateless.getLogicalId(role.node.defaultChild as CfnElement);
      const statements = Object.values(resourcesOf(synthesized.stateless, 'AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((policy) => policy.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
      const ssmStatements = statements.filter((statement) => asArray(statement.Action).some((action) => action.startsWith('ssm:')));
      expect(ssmStatements).toHaveLength(1);
      expect(asArray(ssmStatements[0]!.Action)).toEqual(actions);
      expect(asArray(ssmStatements[0]!.Resource)).toHaveLength(SETTINGS.length);
      expect(statements.flatMap((statement) => asArray(statement.Action)).sort()).toEqual(
        [...actions, 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
      );
      // and no managed policy (AWSLambdaBasicExecutionRole)
      expect(resourcesOf(synthesized.stateless, 'AWS::IAM::Role')[roleId]!.Properties!.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('creates them one after the other, within SSM’s write rate', () => {
    const ids = dev.stage.stateless.settingsParameters.seeds.map((seed) =>
      dev.stage.stateless.getLogicalId(seed.node.findChild('Resource').node.defaultChild as CfnElement),
    );
    const resources = resourcesOf(dev.stateless, 'Custom::DcrSettingParameter');
    expect(ids).toHaveLength(SETTINGS.length);
    expect(resources[ids[0]!]!.DependsOn ?? []).toEqual([]);
    for (let index = 1; index < ids.length; index++) expect(resources[ids[index]!]!.DependsOn).toContain(ids[index - 1]);
  });

  it('seeds the documented product defaults', () => {
    const values = Object.fromEntries([...seeds(dev)].map(([name, { create }]) => [name, create.parameters.Value]));
    expect(values).toMatchObject({
      '/dcr/dev/registration-enabled': 'false',
      '/dcr/dev/require-initial-access-token': 'true',
      '/dcr/dev/management-enabled': 'false',
      '/dcr/dev/rotate-client-secret': 'true',
      '/dcr/dev/rotate-registration-access-token': 'true',
      '/dcr/dev/allow-client-delete': 'true',
      '/dcr/dev/registration-policies': '{}',
    });
  });
});

describe('initial access token warning', () => {
  // the introspection-only case is in initial-access-tokens.test.ts
  const WARNING = Match.stringLikeRegexp(
    'JWTs and introspected tokens are not accepted.*registration works only with tokens issued by this service \\(npm run admin -- iat create\\)',
  );

  it('warns that only service-issued tokens register while neither JWTs nor introspection are configured', () => {
    Annotations.fromStack(dev.stage.stateless).hasWarning('/DcrStateless-dev', WARNING);
    expect(Annotations.fromStack(dev.stage.stateless).findWarning('*', Match.anyValue())).toHaveLength(1);
  });

  it('does not warn once the issuer and JWKS URI are configured', () => {
    Annotations.fromStack(prod.stage.stateless).hasNoWarning('*', WARNING);
    expect(Annotations.fromStack(prod.stage.stateless).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('config', () => {
  it('defaults to the dev stage with the documented values', () => {
    expect(configFromContext({})).toEqual({
      stage: 'dev',
      production: false,
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      logRetention: 30,
      settingsTtlSeconds: 15,
      apiGatewayCloudWatchRole: true,
      registerRateLimit: 10,
      registerBurstLimit: 20,
      manageRateLimit: 25,
      manageBurstLimit: 50,
      registrationAllowedCidrs: [],
      tracing: true,
      sourceMaps: false,
      localstack: false,
      alarms: {
        alarm5xxRatePercent: 5,
        alarmLatencyP99Ms: 2000,
        alarmLambdaErrors: 1,
        alarmLambdaThrottles: 1,
        alarmDynamoDbThrottles: 1,
        alarmSettingsReadFailures: 1,
        alarmWafBlockedRequests: 500,
      },
    });
  });

  it('treats prod and production as production stages', () => {
    expect(configFromContext({ stage: 'prod' }).production).toBe(true);
    expect(configFromContext({ stage: 'production' }).production).toBe(true);
    expect(configFromContext({ stage: 'prod-eu' }).production).toBe(false);
  });

  it.each(['Prod', '1dev', 'dev_1', 'a'.repeat(22), 'dev/x', 42])('rejects the stage %j', (stage) => {
    expect(() => configFromContext({ stage })).toThrow(ConfigError);
  });

  it('accepts a 21-character stage and treats an empty one as unset', () => {
    expect(configFromContext({ stage: `a${'-'.repeat(20)}` }).stage).toHaveLength(21);
    expect(configFromContext({ stage: '' }).stage).toBe('dev');
  });

  it('rejects invalid numbers and retention periods', () => {
    expect(() => configFromContext({ throttlingRateLimit: 'fast' })).toThrow(/throttlingRateLimit/);
    expect(() => configFromContext({ throttlingRateLimit: 0 })).toThrow(/throttlingRateLimit/);
    expect(() => configFromContext({ throttlingBurstLimit: 1.5 })).toThrow(/throttlingBurstLimit/);
    expect(() => configFromContext({ logRetentionDays: 31 })).toThrow(/logRetentionDays/);
    expect(configFromContext({ logRetentionDays: '365' }).logRetention).toBe(365);
    expect(() => configFromContext({ settingsTtlSeconds: -1 })).toThrow(/settingsTtlSeconds/);
  });

  it('requires https for the JWKS URI and the public base URL', () => {
    expect(() => configFromContext({ iatJwksUri: 'http://idp.example.com/jwks' })).toThrow(/iatJwksUri/);
    expect(() => configFromContext({ iatJwksUri: 'not a url' })).toThrow(/iatJwksUri/);
    expect(() => configFromContext({ publicBaseUrl: 'http://dcr.example.com' })).toThrow(/publicBaseUrl/);
    expect(configFromContext({ publicBaseUrl: 'https://dcr.example.com/v1/' }).publicBaseUrl).toBe('https://dcr.example.com/v1');
  });

  it('reads booleans strictly', () => {
    expect(configFromContext({ apiGatewayCloudWatchRole: 'false' }).apiGatewayCloudWatchRole).toBe(false);
    expect(() => configFromContext({ apiGatewayCloudWatchRole: 'no' })).toThrow(/apiGatewayCloudWatchRole/);
  });

  it('pins an environment only when the context names one, never from CDK_DEFAULT_*', () => {
    const read = (context: Record<string, unknown>) => (key: string) => context[key];
    expect(contextEnvironment(read({}))).toBeUndefined();
    expect(contextEnvironment(read({ account: '123456789012', region: 'eu-west-1' }))).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
    expect(contextEnvironment(read({ region: 'eu-west-1' }))).toEqual({ region: 'eu-west-1' });
    expect(() => contextEnvironment(read({ account: '1234' }))).toThrow(/"account"/);
    expect(() => contextEnvironment(read({ region: 'Europe' }))).toThrow(/"region"/);
  });
});
