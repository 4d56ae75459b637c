// CDK assertions on what makes a deploy clean: templates without an account or region of their own,
// a WAF description that WAFv2 accepts, and the LocalStack context (`-c localstack=true`). The
// settings parameters' create-only seeding is asserted in stacks.test.ts, cdk-nag in nag.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { configFromContext } from '../../infra/config.js';
import { wafLogGroupName, webAclDescription } from '../../infra/protection.js';
import { SETTINGS } from '../../lib/settings/catalog.js';
import { EVERYTHING_ON, expectConfigError, resourcesOf, routeFunctions, type Synthesized, synthesizer } from '../support/cdk.js';

const synth = synthesizer({ bundle: false });

/** WAFv2's pattern for a web ACL description, as its API reference writes it. */
const WAF_DESCRIPTION = /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/;

let dev: Synthesized;
let everything: Synthesized;
let pinned: Synthesized;
let localstack: Synthesized;

beforeAll(() => {
  dev = synth({});
  everything = synth(EVERYTHING_ON);
  pinned = synth({}, { account: '123456789012', region: 'eu-west-1' });
  localstack = synth({ localstack: 'true', stage: 'local' });
});

const templatesText = (synthesized: Synthesized) => JSON.stringify([synthesized.stateful.toJSON(), synthesized.stateless.toJSON()]);

describe('environment-agnostic templates', () => {
  it('name no region and no account unless an environment is passed', () => {
    for (const synthesized of [dev, everything, localstack]) {
      const text = templatesText(synthesized);
      expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d\b/);
      expect(text).not.toMatch(/\b\d{12}\b/);
      expect(synthesized.stage.stateless.environment).toBe('aws://unknown-account/unknown-region');
      expect(synthesized.stage.stateful.environment).toBe('aws://unknown-account/unknown-region');
    }
  });

  it('name them when the user passes an environment (the check above can fail)', () => {
    const text = templatesText(pinned);
    expect(text).toContain('eu-west-1');
    expect(text).toContain('123456789012');
  });

  it('build the settings parameter ARNs from the stack’s own partition, region and account', () => {
    const arns = JSON.stringify(dev.stage.stateless.resolve(dev.stage.stateless.settingsParameters.arns));
    expect(arns).toContain('{"Ref":"AWS::Region"}');
    expect(arns).toContain('{"Ref":"AWS::AccountId"}');
  });
});

describe('WAF web ACL description', () => {
  it('matches the pattern WAFv2 accepts (no parentheses)', () => {
    const [acl] = Object.values(resourcesOf(everything.stateless, 'AWS::WAFv2::WebACL'));
    expect(acl!.Properties.Description).toMatch(WAF_DESCRIPTION);
    for (const stage of ['dev', 'prod', 'a-b-c-1', 'x']) expect(webAclDescription(`dcr-${stage}`)).toMatch(WAF_DESCRIPTION);
    // what it used to be, which WAF refused at deploy time
    expect('Protects the OAuth 2.0 Dynamic Client Registration API (dcr-prod)').not.toMatch(WAF_DESCRIPTION);
  });

  it('names the WAF log group with the prefix WAF requires', () => {
    expect(wafLogGroupName('dcr-prod')).toBe('aws-waf-logs-dcr-prod');
  });
});

describe('LocalStack context (-c localstack=true)', () => {
  it('leaves out WAF, and refuses waf=true with it', () => {
    localstack.stateless.resourceCountIs('AWS::WAFv2::WebACL', 0);
    localstack.stateless.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
    expectConfigError({ localstack: 'true', waf: 'true' }, 'waf', /LocalStack/);
  });

  it('creates the registration and management settings switched on, the others at their defaults', () => {
    const seeded = Object.fromEntries(
      Object.values(resourcesOf(localstack.stateless, 'Custom::DcrSettingParameter')).map((resource) => {
        const create = JSON.parse(resource.Properties.Create as string) as { parameters: { Name: string; Value: string } };
        return [create.parameters.Name, create.parameters.Value];
      }),
    );
    const expected = Object.fromEntries(
      SETTINGS.map((definition) => [
        `/dcr/local/${definition.parameter}`,
        definition.key === 'registrationEnabled' || definition.key === 'managementEnabled' ? 'true' : definition.defaultValue,
      ]),
    );
    expect(seeded).toEqual(expected);
  });

  it('gives the functions the stage URL under LocalStack’s host names as the base of registration_client_uri', () => {
    const apiId = Object.keys(resourcesOf(localstack.stateless, 'AWS::ApiGateway::RestApi'))[0]!;
    const functions = Object.values(routeFunctions(localstack));
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.DCR_PUBLIC_BASE_URL).toEqual({
        'Fn::Join': ['', ['http://', { Ref: apiId }, '.execute-api.localhost.localstack.cloud:4566/local']],
      });
    }
  });

  it('leaves tracing off (X-Ray is not in LocalStack’s free edition) unless asked for', () => {
    for (const fn of Object.values(routeFunctions(localstack))) expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(configFromContext({ localstack: 'true', tracing: 'true' }).tracing).toBe(true);
  });

  it('accepts an http public base URL there, and only there', () => {
    expect(
      configFromContext({ localstack: 'true', publicBaseUrl: 'http://localhost:4566/restapis/abc/local/_user_request_/' }).publicBaseUrl,
    ).toBe('http://localhost:4566/restapis/abc/local/_user_request_');
    expectConfigError({ publicBaseUrl: 'http://localhost:4566' }, 'publicBaseUrl', /https/);
    expectConfigError({ localstack: 'true', publicBaseUrl: 'ftp://localhost' }, 'publicBaseUrl');
  });

  it('is off unless asked for', () => {
    expect(configFromContext({}).localstack).toBe(false);
    for (const fn of Object.values(routeFunctions(dev))) expect(fn.Properties.Environment.Variables.DCR_PUBLIC_BASE_URL).toBeUndefined();
    expectConfigError({ localstack: 'yes' }, 'localstack');
  });
});
