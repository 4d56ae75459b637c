// CDK assertions on the protection of the REST API (infra/protection.ts): per-route throttling, the
// optional WAF web ACL, and the optional resource policy on registration. Each configuration is
// synthesized once. Bundling is skipped (`aws:cdk:bundling-stacks: []`): nothing here depends on the
// function code, and stacks.test.ts covers the bundled functions.

import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromContext, MAX_ALLOWED_CIDRS } from '../../infra/config.js';
import { ROUTES } from '../../infra/routes.js';
import { expectConfigError, type Resource, resourcesOf, type Synthesized, synthesizer } from '../support/cdk.js';

const synth = synthesizer({ bundle: false });

let defaults: Synthesized;
let waf: Synthesized;
let tuned: Synthesized;
let restricted: Synthesized;
let restrictedOther: Synthesized;

const TUNED_CONTEXT = {
  stage: 'prod',
  throttlingRateLimit: 200,
  throttlingBurstLimit: 400,
  registerRateLimit: '5', // as `-c registerRateLimit=5` passes it
  registerBurstLimit: 8,
  manageRateLimit: 40,
  manageBurstLimit: 80,
  waf: true,
  wafRateLimit: '20',
  wafRateWindowSeconds: 60,
  wafRateLimitScope: 'all',
  wafBodySizeRule: 'false',
  wafSampledRequests: 'true',
};

beforeAll(() => {
  defaults = synth({});
  waf = synth({ waf: 'true' });
  tuned = synth(TUNED_CONTEXT);
  restricted = synth({ registrationAllowedCidrs: '203.0.113.0/24, 198.51.100.7' });
  restrictedOther = synth({ registrationAllowedCidrs: ['203.0.113.0/24'] });
});

function only(template: Template, type: string): [string, Resource] {
  const entries = Object.entries(resourcesOf(template, type));
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

function idOf(synthesized: Synthesized, element: unknown): string {
  return synthesized.stage.stateless.getLogicalId(element as CfnElement);
}

/** The stage's method settings, keyed `<METHOD> <ResourcePath>`. */
function methodSettings(template: Template): Map<string, Record<string, unknown>> {
  const [, stage] = only(template, 'AWS::ApiGateway::Stage');
  return new Map(
    (stage.Properties.MethodSettings as Array<Record<string, unknown>>).map((setting) => [
      `${setting.HttpMethod} ${setting.ResourcePath}`,
      setting,
    ]),
  );
}

/** CloudFormation's method setting path: `/` then the resource path with every `/` as `~1`. */
const encodedPath = (path: string) => `/${path.replaceAll('/', '~1')}`;

function webAcl(template: Template): Record<string, any> {
  return only(template, 'AWS::WAFv2::WebACL')[1].Properties;
}

function rule(template: Template, name: string): Record<string, any> {
  const rules = webAcl(template).Rules as Array<Record<string, any>>;
  const found = rules.filter((candidate) => candidate.Name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('defaults', () => {
  it('creates no WAF web ACL and no association', () => {
    defaults.stateless.resourceCountIs('AWS::WAFv2::WebACL', 0);
    defaults.stateless.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(Object.keys(defaults.stateless.findOutputs('WebAclArn'))).toEqual([]);
    expect(defaults.stage.stateless.firewall).toBeUndefined();
  });

  it('gives the REST API no resource policy', () => {
    const [, api] = only(defaults.stateless, 'AWS::ApiGateway::RestApi');
    expect(api.Properties.Policy).toBeUndefined();
  });

  it('throttles registration at 10 rps / 20 burst and each management route at 25 / 50, below the stage', () => {
    const settings = methodSettings(defaults.stateless);
    expect(settings.get('* /*')).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(settings.get('POST /~1as~1clients.oauth2')).toEqual({
      HttpMethod: 'POST',
      ResourcePath: '/~1as~1clients.oauth2',
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
      MetricsEnabled: true,
      DataTraceEnabled: false,
    });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(settings.get(`${method} /~1as~1clients.oauth2~1{clientId}`)).toEqual({
        HttpMethod: method,
        ResourcePath: '/~1as~1clients.oauth2~1{clientId}',
        ThrottlingRateLimit: 25,
        ThrottlingBurstLimit: 50,
        MetricsEnabled: true,
        DataTraceEnabled: false,
      });
    }
  });

  it('has a method setting for every route of ROUTES and nothing else', () => {
    const expected = ['* /*', ...ROUTES.map((route) => `${route.method} ${encodedPath(route.path)}`)];
    expect([...methodSettings(defaults.stateless).keys()].sort()).toEqual(expected.sort());
  });
});

describe('per-route throttling from the context', () => {
  it('takes the registration and management limits from the context', () => {
    const settings = methodSettings(tuned.stateless);
    expect(settings.get('* /*')).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    expect(settings.get('POST /~1as~1clients.oauth2')).toMatchObject({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(settings.get(`${method} /~1as~1clients.oauth2~1{clientId}`)).toMatchObject({
        ThrottlingRateLimit: 40,
        ThrottlingBurstLimit: 80,
      });
    }
  });

  it('lowers the route defaults along with a stage set below them', () => {
    const config = configFromContext({ throttlingRateLimit: 5, throttlingBurstLimit: 30 });
    expect(config).toMatchObject({ registerRateLimit: 5, registerBurstLimit: 20, manageRateLimit: 5, manageBurstLimit: 30 });
  });

  it('refuses a route limit above the stage limit, which would raise it', () => {
    expectConfigError({ registerRateLimit: 60 }, 'registerRateLimit', /above throttlingRateLimit \(50\)/);
    expectConfigError({ manageBurstLimit: 101 }, 'manageBurstLimit', /above throttlingBurstLimit \(100\)/);
    expect(configFromContext({ throttlingRateLimit: 100, registerRateLimit: 100 }).registerRateLimit).toBe(100);
  });
});

describe('WAF web ACL (waf=true)', () => {
  it('is one REGIONAL web ACL that allows by default, with metrics and without sampled requests', () => {
    const acl = webAcl(waf.stateless);
    expect(acl).toMatchObject({
      Name: 'dcr-dev',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: false, MetricName: 'dcr-dev-web-acl' },
    });
    for (const candidate of acl.Rules as Array<Record<string, any>>) {
      expect(candidate.VisibilityConfig).toEqual({
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: false,
        MetricName: `dcr-dev-${candidate.Name}`,
      });
    }
  });

  it('blocks a source IP past 100 registration POSTs in 5 minutes with a 429', () => {
    const rateRule = rule(waf.stateless, 'RateLimitPerSourceIp');
    const statement = rateRule.Statement.RateBasedStatement;
    expect(statement).toMatchObject({ Limit: 100, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    const [method, path] = statement.ScopeDownStatement.AndStatement.Statements.map((entry: any) => entry.ByteMatchStatement);
    expect(method).toMatchObject({ FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: 'POST' });
    expect(path).toMatchObject({ FieldToMatch: { UriPath: {} }, PositionalConstraint: 'CONTAINS', SearchString: '/as/clients.oauth2' });
    expect(path.TextTransformations.map((transformation: any) => transformation.Type)).toEqual([
      'URL_DECODE',
      'NORMALIZE_PATH',
      'LOWERCASE',
    ]);

    const response = rateRule.Action.Block.CustomResponse;
    expect(response.ResponseCode).toBe(429);
    expect(response.ResponseHeaders).toContainEqual({ Name: 'Retry-After', Value: '300' });
    expect(response.ResponseHeaders).toContainEqual({ Name: 'Cache-Control', Value: 'no-store' });
    const body = webAcl(waf.stateless).CustomResponseBodies[response.CustomResponseBodyKey];
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('runs the three AWS managed rule groups with their own actions', () => {
    const groups = (webAcl(waf.stateless).Rules as Array<Record<string, any>>).filter(
      (candidate) => candidate.Statement.ManagedRuleGroupStatement,
    );
    expect(groups.map((group) => group.Statement.ManagedRuleGroupStatement.Name).sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const group of groups) {
      expect(group.OverrideAction).toEqual({ None: {} });
      expect(group.Action).toBeUndefined();
      expect(group.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
    }
  });

  it("counts, rather than blocks, the common rule set's 8 KB body rule and its IPv4-URL rule", () => {
    const common = rule(waf.stateless, 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement;
    expect(common.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      { Name: 'GenericRFI_BODY', ActionToUse: { Count: {} } },
    ]);
    expect(
      rule(waf.stateless, 'AWS-AWSManagedRulesKnownBadInputsRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides,
    ).toBeUndefined();
  });

  it('blocks bodies over 64 KiB with the 413 the handler gives, inspecting up to 64 KB of each body', () => {
    const bodyRule = rule(waf.stateless, 'BodySizeLimit');
    expect(bodyRule.Statement.SizeConstraintStatement).toEqual({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: 65536,
      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    });
    const response = bodyRule.Action.Block.CustomResponse;
    expect(response.ResponseCode).toBe(413);
    const body = webAcl(waf.stateless).CustomResponseBodies[response.CustomResponseBodyKey];
    expect(JSON.parse(body.Content)).toEqual({
      error: 'invalid_request',
      error_description: 'the request body is larger than 65536 bytes',
    });
    // with the default 16 KB, MATCH would block every body between 16 and 64 KiB
    expect(webAcl(waf.stateless).AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } });
  });

  it('evaluates IP reputation, then the rate limit and the body size, then the other rule groups', () => {
    const rules = webAcl(waf.stateless).Rules as Array<Record<string, any>>;
    const ordered = [...rules].sort((a, b) => a.Priority - b.Priority).map((candidate) => candidate.Name);
    expect(ordered).toEqual([
      'AWS-AWSManagedRulesAmazonIpReputationList',
      'RateLimitPerSourceIp',
      'BodySizeLimit',
      'AWS-AWSManagedRulesCommonRuleSet',
      'AWS-AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(new Set(rules.map((candidate) => candidate.Priority)).size).toBe(rules.length);
  });

  it('is associated with the REST API stage', () => {
    const [, association] = only(waf.stateless, 'AWS::WAFv2::WebACLAssociation');
    const apiId = idOf(waf, waf.stage.stateless.api.node.defaultChild);
    const stageId = idOf(waf, waf.stage.stateless.api.deploymentStage.node.defaultChild);
    const aclId = idOf(waf, waf.stage.stateless.firewall!.webAcl);
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    const [separator, parts] = association.Properties.ResourceArn['Fn::Join'];
    expect(separator).toBe('');
    // arn:<partition>:apigateway:<region>::/restapis/<api id>/stages/<stage name>
    expect(parts).toEqual([
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      '::/restapis/',
      { Ref: apiId },
      '/stages/',
      { Ref: stageId },
    ]);
    waf.stateless.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': [aclId, 'Arn'] } });
  });

  it('leaves the REST API without a resource policy', () => {
    expect(only(waf.stateless, 'AWS::ApiGateway::RestApi')[1].Properties.Policy).toBeUndefined();
  });
});

describe('WAF web ACL tuned from the context', () => {
  it('takes the limit and window, and counts every request of an address with scope "all"', () => {
    const statement = rule(tuned.stateless, 'RateLimitPerSourceIp').Statement.RateBasedStatement;
    expect(statement).toEqual({ Limit: 20, AggregateKeyType: 'IP', EvaluationWindowSec: 60 });
    expect(rule(tuned.stateless, 'RateLimitPerSourceIp').Action.Block.CustomResponse.ResponseHeaders).toContainEqual({
      Name: 'Retry-After',
      Value: '60',
    });
  });

  it('drops the body rule and keeps the free 16 KB inspection limit when wafBodySizeRule=false', () => {
    const acl = webAcl(tuned.stateless);
    expect((acl.Rules as Array<{ Name: string }>).map((candidate) => candidate.Name)).not.toContain('BodySizeLimit');
    expect(acl.AssociationConfig).toBeUndefined();
    expect(Object.keys(acl.CustomResponseBodies)).toEqual(['too-many-requests']);
    // the managed 8 KB rule still only counts: the handler's 413 remains the limit
    expect(
      rule(tuned.stateless, 'AWS-AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides,
    ).toContainEqual({
      Name: 'SizeRestrictions_BODY',
      ActionToUse: { Count: {} },
    });
  });

  it('keeps sampled requests when asked to, and names the ACL after the stage', () => {
    const acl = webAcl(tuned.stateless);
    expect(acl.Name).toBe('dcr-prod');
    expect(acl.VisibilityConfig.SampledRequestsEnabled).toBe(true);
    for (const candidate of acl.Rules as Array<Record<string, any>>) expect(candidate.VisibilityConfig.SampledRequestsEnabled).toBe(true);
  });
});

describe('registration restricted to source ranges (registrationAllowedCidrs)', () => {
  function policyOf(synthesized: Synthesized): { Version: string; Statement: Array<Record<string, any>> } {
    return only(synthesized.stateless, 'AWS::ApiGateway::RestApi')[1].Properties.Policy;
  }

  it('denies POST on the registration route, and only it, outside the listed ranges', () => {
    const deny = policyOf(restricted).Statement.filter((statement) => statement.Effect === 'Deny');
    expect(deny).toEqual([
      {
        Sid: 'RegisterOnlyFromAllowedRanges',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/as/clients.oauth2',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } },
      },
    ]);
  });

  it('lets anyone invoke everything else, so clients manage themselves from anywhere', () => {
    const policy = policyOf(restricted);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(2);
    expect(policy.Statement.filter((statement) => statement.Effect === 'Allow')).toEqual([
      { Sid: 'InvokeEveryRoute', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    ]);
  });

  it('makes a new deployment whenever the policy changes, so it takes effect', () => {
    const deploymentOf = (synthesized: Synthesized) => only(synthesized.stateless, 'AWS::ApiGateway::Deployment')[0];
    const ids = [defaults, restricted, restrictedOther].map(deploymentOf);
    expect(new Set(ids).size).toBe(3);
    for (const synthesized of [defaults, restricted, restrictedOther]) {
      expect(only(synthesized.stateless, 'AWS::ApiGateway::Stage')[1].Properties.DeploymentId).toEqual({ Ref: deploymentOf(synthesized) });
    }
    // same routes, same everything else: only the policy moved the deployment
    expect(methodSettings(restricted.stateless)).toEqual(methodSettings(defaults.stateless));
  });

  it('does not bring the WAF along', () => {
    restricted.stateless.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});

describe('protection config', () => {
  it('defaults to per-route limits, no WAF and open registration', () => {
    const config = configFromContext({});
    expect(config).toMatchObject({
      registerRateLimit: 10,
      registerBurstLimit: 20,
      manageRateLimit: 25,
      manageBurstLimit: 50,
      registrationAllowedCidrs: [],
    });
    expect(config.waf).toBeUndefined();
    expect(configFromContext({ waf: 'false' }).waf).toBeUndefined();
  });

  it('reads the WAF settings with their defaults when waf is on', () => {
    expect(configFromContext({ waf: true }).waf).toEqual({
      rateLimit: 100,
      rateWindowSeconds: 300,
      rateLimitScope: 'registration',
      bodySizeRule: true,
      sampledRequests: false,
    });
  });

  it.each([
    [{ waf: 'maybe' }, 'waf', /expected true or false/],
    [{ waf: 1 }, 'waf', /expected true or false/],
    [{ wafRateLimit: -5 }, 'wafRateLimit', /from 10 to 2000000000/],
    [{ wafRateLimit: 9 }, 'wafRateLimit', /from 10/],
    [{ wafRateLimit: '100.5' }, 'wafRateLimit', /integer/],
    [{ wafRateWindowSeconds: 90 }, 'wafRateWindowSeconds', /one of 60, 120, 300, 600/],
    [{ wafRateLimitScope: 'everything' }, 'wafRateLimitScope', /one of registration, all/],
    [{ wafBodySizeRule: 'yes' }, 'wafBodySizeRule', /true or false/],
    [{ wafSampledRequests: 'on' }, 'wafSampledRequests', /true or false/],
    [{ registerRateLimit: -1 }, 'registerRateLimit', /positive number/],
    [{ registerBurstLimit: 0 }, 'registerBurstLimit', /positive integer/],
    [{ manageRateLimit: 'fast' }, 'manageRateLimit', /positive number/],
    [{ manageBurstLimit: 2.5 }, 'manageBurstLimit', /positive integer/],
  ])('refuses %j', (context, key, message) => {
    expectConfigError(context, key, message);
  });

  it('validates the WAF settings even while the WAF is off', () => {
    expectConfigError({ waf: false, wafRateLimit: 'lots' }, 'wafRateLimit');
  });

  it('reads the allowed ranges comma-separated, as a JSON array, or as an array, normalized', () => {
    expect(
      configFromContext({ registrationAllowedCidrs: ' 203.0.113.0/24,198.51.100.7 , 2001:DB8::/32' }).registrationAllowedCidrs,
    ).toEqual(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32']);
    expect(configFromContext({ registrationAllowedCidrs: '["203.0.113.0/24", "::ffff:192.0.2.0/120"]' }).registrationAllowedCidrs).toEqual([
      '203.0.113.0/24',
      '::ffff:192.0.2.0/120',
    ]);
    expect(configFromContext({ registrationAllowedCidrs: ['10.0.0.0/8', '10.0.0.0/8', '0.0.0.0/0'] }).registrationAllowedCidrs).toEqual([
      '10.0.0.0/8',
      '0.0.0.0/0',
    ]);
    expect(configFromContext({ registrationAllowedCidrs: '' }).registrationAllowedCidrs).toEqual([]);
  });

  it.each([
    ['203.0.113.0/33', /not an IPv4 or IPv6 address or CIDR/],
    ['203.0.113.0/-1', /not an IPv4 or IPv6 address or CIDR/],
    ['300.1.1.1/32', /not an IPv4 or IPv6 address or CIDR/],
    ['not-an-ip', /not an IPv4 or IPv6 address or CIDR/],
    ['10.0.0.0/8/1', /not an IPv4 or IPv6 address or CIDR/],
    ['2001:db8::/129', /not an IPv4 or IPv6 address or CIDR/],
    ['fe80::1%eth0/128', /not an IPv4 or IPv6 address or CIDR/],
    ['203.0.113.7/24', /host bits set: write the network \(203\.0\.113\.0\/24\) or the single address \(203\.0\.113\.7\/32\)/],
    ['2001:db8::1/32', /host bits set/],
    ['[]', /empty list: leave the key unset/],
    ['["203.0.113.0/24", 5]', /expected a CIDR string, got 5/],
    ['[not json', /expected a JSON array of CIDRs/],
    ['203.0.113.0/24,,10.0.0.0/8,bogus', /"bogus" is not/],
  ])('refuses the allowed ranges %j', (value, message) => {
    expectConfigError({ registrationAllowedCidrs: value }, 'registrationAllowedCidrs', message);
  });

  it('refuses a non-string, non-array value and more ranges than the policy holds', () => {
    expectConfigError({ registrationAllowedCidrs: 42 }, 'registrationAllowedCidrs', /comma-separated CIDRs or a JSON array/);
    const many = Array.from({ length: MAX_ALLOWED_CIDRS + 1 }, (_, index) => `10.0.${index}.0/24`);
    expectConfigError({ registrationAllowedCidrs: many }, 'registrationAllowedCidrs', new RegExp(`at most ${MAX_ALLOWED_CIDRS}`));
    expect(configFromContext({ registrationAllowedCidrs: many.slice(1) }).registrationAllowedCidrs).toHaveLength(MAX_ALLOWED_CIDRS);
  });
});
