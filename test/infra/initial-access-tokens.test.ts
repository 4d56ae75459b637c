// CDK assertions on initial access token verification in AWS: opaque tokens by token introspection
// (context iatIntrospection*), and the context rules that keep the functions from starting
// half-configured. Each configuration is synthesized once. Bundling is skipped
// (`aws:cdk:bundling-stacks: []`): nothing here depends on the function code. The token table and its
// grants are in stacks.test.ts.

import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromContext } from '../../infra/config.js';
import { ROUTES, type RouteName } from '../../infra/routes.js';
import { asArray, expectConfigError, resourcesOf, routeFunctions, type Synthesized, synthesizer } from '../support/cdk.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const synth = synthesizer({ bundle: false });

const SECRET_PARAMETER = '/dcr/prod/iat-introspection-client-secret';
const INTROSPECTION_CONTEXT = {
  stage: 'prod',
  iatIntrospectionUrl: 'https://idp.example.com/as/introspect.oauth2',
  iatIntrospectionClientId: 'dcr-service',
  iatIntrospectionClientSecretParameter: SECRET_PARAMETER,
  iatIntrospectionCacheSeconds: '120', // as `-c iatIntrospectionCacheSeconds=120` passes it
  // alone, the issuer only checks the introspection answers: it turns on no JWT verification
  iatIssuer: 'https://idp.example.com',
};

let plain: Synthesized;
let introspection: Synthesized;

beforeAll(() => {
  plain = synth({});
  introspection = synth(INTROSPECTION_CONTEXT);
});

function roleId(synthesized: Synthesized, routeName: RouteName): string {
  const fn = synthesized.stage.stateless.functions.get(routeName)!;
  return synthesized.stage.stateless.getLogicalId(fn.role!.node.defaultChild as CfnElement);
}

/** Every policy statement of the stateless stack, with the roles it is attached to. */
function allStatements(synthesized: Synthesized): Array<{ roles: unknown[]; statement: Statement }> {
  return Object.values(resourcesOf(synthesized.stateless, 'AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
      roles: policy.Properties.Roles as unknown[],
      statement,
    })),
  );
}

function variablesOf(synthesized: Synthesized): Array<Record<string, unknown>> {
  const functions = Object.values(routeFunctions(synthesized));
  expect(functions).toHaveLength(ROUTES.length);
  return functions.map((fn) => fn.Properties.Environment.Variables as Record<string, unknown>);
}

describe('token introspection configured', () => {
  it('gives every function the endpoint, the client id, the secret parameter name and the cache time', () => {
    for (const variables of variablesOf(introspection)) {
      expect(variables).toMatchObject({
        DCR_IAT_INTROSPECTION_URL: 'https://idp.example.com/as/introspect.oauth2',
        DCR_IAT_INTROSPECTION_CLIENT_ID: 'dcr-service',
        DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: SECRET_PARAMETER,
        DCR_IAT_INTROSPECTION_CACHE_SECONDS: '120',
        DCR_IAT_ISSUER: 'https://idp.example.com',
      });
      expect(
        Object.keys(variables)
          .filter((name) => name.startsWith('DCR_IAT_'))
          .sort(),
      ).toEqual([
        'DCR_IAT_INTROSPECTION_CACHE_SECONDS',
        'DCR_IAT_INTROSPECTION_CLIENT_ID',
        'DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER',
        'DCR_IAT_INTROSPECTION_URL',
        'DCR_IAT_ISSUER',
        'DCR_IAT_TABLE_NAME',
      ]);
    }
  });

  it('never puts the client secret itself in the environment', () => {
    for (const variables of variablesOf(introspection)) expect(variables).not.toHaveProperty('DCR_IAT_INTROSPECTION_CLIENT_SECRET');
  });

  it('lets only the register function call ssm:GetParameter, once, on exactly the secret parameter', () => {
    const getParameter = allStatements(introspection).filter(({ statement }) => asArray(statement.Action).includes('ssm:GetParameter'));
    expect(getParameter).toEqual([
      {
        roles: [{ Ref: roleId(introspection, 'register') }],
        statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          // what ssm.StringParameter.fromSecureStringParameterAttributes(...).parameterArn renders for a
          // name with a leading slash: the name follows `parameter` directly
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ssm:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:parameter${SECRET_PARAMETER}`,
              ],
            ],
          },
        },
      },
    ]);
  });

  it('adds no KMS grant for the secret: the default aws/ssm key needs none', () => {
    const kms = allStatements(introspection).filter(({ statement }) =>
      asArray(statement.Action).some((action) => action.startsWith('kms:')),
    );
    // only the secret-key statements of the routes (register: kms:Encrypt), all on the client secret key
    for (const { statement } of kms) {
      expect(asArray(statement.Action).every((action) => action === 'kms:Encrypt' || action === 'kms:Decrypt')).toBe(true);
      // the sealer's encryption context, nothing about SSM
      expect(Object.keys(statement.Condition as object).sort()).toEqual(['ForAllValues:StringEquals', 'Null']);
      expect(JSON.stringify(statement.Condition)).toContain('kms:EncryptionContext');
      expect(JSON.stringify(statement.Resource)).toContain('DcrStateful-prod:');
    }
  });

  it('neither creates the secret parameter nor reads its value into the template', () => {
    const created = Object.values(resourcesOf(introspection.stateless, 'AWS::SSM::Parameter')).map(
      (parameter) => parameter.Properties.Name,
    );
    expect(created).not.toContain(SECRET_PARAMETER);
    expect(Object.keys(introspection.stateless.toJSON().Parameters ?? {})).toEqual(['BootstrapVersion']);
    expect(JSON.stringify(introspection.stateless.toJSON())).not.toContain('resolve:ssm');
  });

  it('does not warn: introspected tokens are accepted', () => {
    expect(Annotations.fromStack(introspection.stage.stateless).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('token introspection not configured', () => {
  it('sets no DCR_IAT_INTROSPECTION_* variable', () => {
    for (const variables of variablesOf(plain)) {
      expect(Object.keys(variables).filter((name) => name.startsWith('DCR_IAT_INTROSPECTION'))).toEqual([]);
    }
  });

  it('grants ssm:GetParameter to no function', () => {
    const actions = allStatements(plain).flatMap(({ statement }) => asArray(statement.Action));
    expect(actions).toContain('ssm:GetParameters'); // the settings, for contrast
    expect(actions).not.toContain('ssm:GetParameter');
  });

  it('warns that only tokens issued by this service are accepted', () => {
    Annotations.fromStack(plain.stage.stateless).hasWarning('*', Match.stringLikeRegexp('tokens issued by this service'));
  });
});

describe('introspection config', () => {
  it('is absent by default', () => {
    expect(configFromContext({}).iatIntrospection).toBeUndefined();
  });

  it('reads the three keys and the cache time, which stays unset unless given', () => {
    expect(configFromContext(INTROSPECTION_CONTEXT).iatIntrospection).toEqual({
      url: 'https://idp.example.com/as/introspect.oauth2',
      clientId: 'dcr-service',
      clientSecretParameter: SECRET_PARAMETER,
      cacheSeconds: 120,
    });
    const { iatIntrospectionCacheSeconds: _cache, ...withoutCache } = INTROSPECTION_CONTEXT;
    expect(configFromContext(withoutCache).iatIntrospection).not.toHaveProperty('cacheSeconds');
    expect(configFromContext({ ...withoutCache, iatIntrospectionCacheSeconds: 0 }).iatIntrospection?.cacheSeconds).toBe(0);
  });

  it.each(['iatIntrospectionUrl', 'iatIntrospectionClientId', 'iatIntrospectionClientSecretParameter'])(
    'refuses introspection without %s',
    (left) => {
      const context: Record<string, unknown> = { ...INTROSPECTION_CONTEXT };
      delete context[left];
      expectConfigError(context, left, /token introspection needs .* together/);
    },
  );

  it('refuses a cache time, or a single key, without the rest', () => {
    expectConfigError(
      { iatIntrospectionCacheSeconds: 30 },
      'iatIntrospectionUrl',
      /set iatIntrospectionUrl, iatIntrospectionClientId, iatIntrospectionClientSecretParameter as well/,
    );
    expectConfigError(
      { iatIntrospectionClientId: 'dcr' },
      'iatIntrospectionUrl',
      /set iatIntrospectionUrl, iatIntrospectionClientSecretParameter as well/,
    );
  });

  it.each([
    'http://idp.example.com/introspect',
    'http://127.0.0.1:9000/introspect',
    'idp.example.com/introspect',
    'https://idp.example.com/introspect#x',
  ])('refuses the endpoint %j (https only in AWS)', (url) => {
    expectConfigError({ ...INTROSPECTION_CONTEXT, iatIntrospectionUrl: url }, 'iatIntrospectionUrl');
  });

  it('refuses credentials in the endpoint', () => {
    expectConfigError(
      { ...INTROSPECTION_CONTEXT, iatIntrospectionUrl: 'https://dcr:s3cret@idp.example.com/introspect' },
      'iatIntrospectionUrl',
      /credentials/,
    );
  });

  it.each([
    'dcr-introspection-secret',
    'dcr/prod/secret',
    '/dcr/prod/',
    '/dcr//secret',
    '/dcr/prod/se cret',
    '/aws/reference/secretsmanager/x',
    '/SSM/x',
    `/${'a/'.repeat(15)}b`,
  ])('refuses the secret parameter name %j', (name) => {
    expectConfigError({ ...INTROSPECTION_CONTEXT, iatIntrospectionClientSecretParameter: name }, 'iatIntrospectionClientSecretParameter');
  });

  it('accepts a fully qualified parameter name of up to 15 levels', () => {
    const name = `/${'a/'.repeat(14)}b_1.2-3`;
    expect(
      configFromContext({ ...INTROSPECTION_CONTEXT, iatIntrospectionClientSecretParameter: name }).iatIntrospection?.clientSecretParameter,
    ).toBe(name);
  });

  it.each([-1, 3601, 1.5, 'soon'])('refuses the cache time %j', (seconds) => {
    expectConfigError({ ...INTROSPECTION_CONTEXT, iatIntrospectionCacheSeconds: seconds }, 'iatIntrospectionCacheSeconds', /0 to 3600/);
  });

  it('refuses the client secret itself in the context', () => {
    expectConfigError(
      { ...INTROSPECTION_CONTEXT, iatIntrospectionClientSecret: 'hunter2' },
      'iatIntrospectionClientSecret',
      /SecureString/,
    );
  });
});

describe('JWT config', () => {
  it('refuses a JWKS URI without an issuer', () => {
    expectConfigError({ iatJwksUri: 'https://idp.example.com/jwks.json' }, 'iatIssuer');
  });

  it('refuses an issuer without a JWKS URI unless introspection is configured', () => {
    expectConfigError({ iatIssuer: 'https://idp.example.com' }, 'iatJwksUri', /introspection/);
    expect(configFromContext(INTROSPECTION_CONTEXT)).toMatchObject({ iatIssuer: 'https://idp.example.com' });
    expect(configFromContext(INTROSPECTION_CONTEXT).iatJwksUri).toBeUndefined();
  });
});
