// Protection of the REST API on the AWS side, all driven by DcrConfig: per-route throttling, the
// resource policy that limits who may register, and the optional AWS WAF web ACL on the stage.
// The handlers still enforce the 64 KiB body limit themselves (413); everything here only sheds
// unwanted traffic before it reaches (and costs) a function.

import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { payloadTooLarge } from '../lib/errors.js';
import { MAX_BODY_BYTES } from '../lib/http/api-gateway.js';
import { errorResponse, json } from '../lib/http/responses.js';
import type { HttpResponse } from '../lib/http/types.js';
import type { DcrConfig, WafConfig } from './config.js';
import { ROUTES, type Route } from './routes.js';

/** The route that creates clients: the one that anonymous abuse targets. */
export const REGISTRATION_ROUTE: Route = ROUTES.find((route) => route.name === 'register')!;

/** `deployOptions.methodOptions` key of a route: `<resource path>/<METHOD>`. */
export function methodOptionsKey(route: Pick<Route, 'path' | 'method'>): string {
  return `${route.path}/${route.method}`;
}

/**
 * One method setting per route of ROUTES: registration gets its own (low) limits, each management
 * route the management limits. API Gateway applies a method's limits to that method alone, across
 * all callers, in place of the stage limits.
 */
export function routeMethodOptions(config: DcrConfig): Record<string, apigateway.MethodDeploymentOptions> {
  return Object.fromEntries(
    ROUTES.map((route) => {
      const registration = route === REGISTRATION_ROUTE;
      const options: apigateway.MethodDeploymentOptions = {
        throttlingRateLimit: registration ? config.registerRateLimit : config.manageRateLimit,
        throttlingBurstLimit: registration ? config.registerBurstLimit : config.manageBurstLimit,
        // Stated again, as on the stage: a method setting is a record of its own, and the route's
        // metrics and (never) data tracing must not depend on how API Gateway fills omitted fields.
        metricsEnabled: true,
        dataTraceEnabled: false,
      };
      return [methodOptionsKey(route), options];
    }),
  );
}

/**
 * The REST API resource policy that lets only `cidrs` POST to the registration route, or undefined
 * (no policy, everything open) when the list is empty. Everything else stays invokable by anyone:
 * clients manage themselves from anywhere with their registration access token.
 *
 * Resources use the `execute-api:/<stage>/<METHOD>/<path>` shorthand that API Gateway expands to
 * its own ARN: the full ARN would need the API's id inside the API's own definition (a cycle).
 */
export function registrationResourcePolicy(cidrs: readonly string[]): iam.PolicyDocument | undefined {
  if (cidrs.length === 0) return undefined;
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'InvokeEveryRoute',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      // An explicit Deny wins over the Allow above; every stage, so no other stage is a way around it.
      new iam.PolicyStatement({
        sid: 'RegisterOnlyFromAllowedRanges',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [registrationExecuteApiResource()],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}

/** `execute-api:/*\/POST/as/clients.oauth2`: the registration method, in every stage. */
export function registrationExecuteApiResource(): string {
  return `execute-api:/*/${REGISTRATION_ROUTE.method}${REGISTRATION_ROUTE.path}`;
}

/**
 * Managed rule group rules switched from Block to Count (still measured and labelled), each for a
 * reason that holds for every deployment of this service.
 */
export const COMMON_RULE_SET_COUNT_ONLY: Readonly<Record<string, string>> = {
  // blocks any body over 8 KB, while RFC 7591 metadata (an inline jwks, many redirect URIs, localized
  // names) may legitimately reach our 64 KiB limit; the BodySizeLimit rule enforces that limit instead
  SizeRestrictions_BODY: 'bodies up to 64 KiB are valid; BodySizeLimit enforces the limit',
  // blocks bodies holding URLs with an IPv4 host, i.e. every loopback redirect URI of a native app
  // (http://127.0.0.1:port/callback, RFC 8252 section 7.3)
  GenericRFI_BODY: 'loopback redirect URIs of native apps carry an IPv4 literal',
};

/** Names of the web ACL's rules, in evaluation order. */
export const WAF_RULE_NAMES = {
  ipReputation: 'AWS-AWSManagedRulesAmazonIpReputationList',
  rateLimit: 'RateLimitPerSourceIp',
  bodySize: 'BodySizeLimit',
  commonRuleSet: 'AWS-AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWS-AWSManagedRulesKnownBadInputsRuleSet',
} as const;

// The body sizes (KB) an API Gateway stage can forward to WAF; 16 is the default (and free).
const BODY_INSPECTION_LIMITS_KB = [16, 32, 48, 64] as const;

/**
 * The smallest body inspection limit that covers `bytes`. The body rule treats a body WAF cannot see
 * in full as a match (oversize handling MATCH), so the limit must reach the body limit: with the
 * default 16 KB, every body between 16 and 64 KiB would be blocked although the service accepts it.
 */
export function bodyInspectionLimit(bytes: number): `KB_${(typeof BODY_INSPECTION_LIMITS_KB)[number]}` {
  const kb = BODY_INSPECTION_LIMITS_KB.find((limit) => limit * 1024 >= bytes);
  if (kb === undefined)
    throw new Error(`AWS WAF cannot inspect ${bytes} bytes of a body (at most 64 KB): the WAF body rule cannot enforce that limit`);
  return `KB_${kb}`;
}

export interface ApiFirewallProps {
  /** Web ACL name and metric prefix, e.g. `dcr-prod`. */
  readonly name: string;
  /** The stage to protect (the REST API's deployment stage). */
  readonly stage: apigateway.Stage;
  readonly waf: WafConfig;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * What WAFv2 accepts as a web ACL description (its API reference): no parentheses, for one. A
 * description outside it fails the deploy, not the synthesis.
 */
export const WAF_DESCRIPTION_PATTERN = /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/;

/** The log group WAF writes to: WAF requires the `aws-waf-logs-` prefix. */
export function wafLogGroupName(webAclName: string): string {
  return `aws-waf-logs-${webAclName}`;
}

/**
 * A REGIONAL AWS WAF web ACL (default allow), its association with the REST API stage, and its
 * logging of the requests it blocked or counted.
 */
export class ApiFirewall extends Construct {
  readonly name: string;
  readonly webAcl: wafv2.CfnWebACL;
  readonly association: wafv2.CfnWebACLAssociation;
  readonly logGroup: logs.LogGroup;
  readonly logging: wafv2.CfnLoggingConfiguration;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const { name, stage, waf } = props;
    this.name = name;
    const visibility = (metric: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${name}-${metric}`,
      sampledRequestsEnabled: waf.sampledRequests,
    });

    const rules: Array<Omit<wafv2.CfnWebACL.RuleProperty, 'priority'>> = [
      // known bad addresses first: they neither count towards anyone's rate nor cost an inspection
      managedRuleGroup(WAF_RULE_NAMES.ipReputation, 'AWSManagedRulesAmazonIpReputationList', visibility),
      {
        name: WAF_RULE_NAMES.rateLimit,
        action: { block: { customResponse: customResponse('too-many-requests', tooManyRequests(waf.rateWindowSeconds)) } },
        statement: { rateBasedStatement: rateLimitStatement(waf) },
        visibilityConfig: visibility(WAF_RULE_NAMES.rateLimit),
      },
      ...(waf.bodySizeRule
        ? [
            {
              name: WAF_RULE_NAMES.bodySize,
              action: { block: { customResponse: customResponse('payload-too-large', errorResponse(payloadTooLarge(MAX_BODY_BYTES))) } },
              statement: {
                sizeConstraintStatement: {
                  // MATCH: a body larger than the inspection limit (set to cover MAX_BODY_BYTES below)
                  // is over the limit by definition; CONTINUE would compare only the visible part,
                  // never more than the limit, and so never block anything
                  fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                  comparisonOperator: 'GT',
                  size: MAX_BODY_BYTES,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
              visibilityConfig: visibility(WAF_RULE_NAMES.bodySize),
            },
          ]
        : []),
      managedRuleGroup(WAF_RULE_NAMES.commonRuleSet, 'AWSManagedRulesCommonRuleSet', visibility, Object.keys(COMMON_RULE_SET_COUNT_ONLY)),
      managedRuleGroup(WAF_RULE_NAMES.knownBadInputs, 'AWSManagedRulesKnownBadInputsRuleSet', visibility),
    ];

    const inspectionLimit = bodyInspectionLimit(MAX_BODY_BYTES);
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: webAclDescription(name),
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules: rules.map((rule, priority) => ({ ...rule, priority })),
      customResponseBodies: {
        'too-many-requests': customResponseBody(tooManyRequests(waf.rateWindowSeconds)),
        ...(waf.bodySizeRule && { 'payload-too-large': customResponseBody(errorResponse(payloadTooLarge(MAX_BODY_BYTES))) }),
      },
      // the default (16 KB) costs nothing extra; a larger limit is billed per request, so only when
      // the body rule needs it
      ...(waf.bodySizeRule &&
        inspectionLimit !== 'KB_16' && {
          associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: inspectionLimit } } },
        }),
      visibilityConfig: visibility('web-acl'),
    });

    // arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>; its stage name is a Ref to the
    // stage resource, so CloudFormation associates only once the stage exists
    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // Requests WAF blocked or counted (the allowed ones are in the API's access log), without the
    // Authorization header: it carries initial access tokens and registration access tokens.
    const logGroupName = wafLogGroupName(name);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the `:*` that its Arn attribute ends with
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    this.logging.node.addDependency(this.logGroup);
  }
}

/** The web ACL's description, checked against WAFv2's pattern here rather than by a failed deploy. */
export function webAclDescription(name: string): string {
  const description = `Protects the OAuth 2.0 Dynamic Client Registration API of ${name}`;
  if (!WAF_DESCRIPTION_PATTERN.test(description)) throw new Error(`web ACL description outside WAFv2's pattern: ${description}`);
  return description;
}

type Visibility = (metric: string) => wafv2.CfnWebACL.VisibilityConfigProperty;

function managedRuleGroup(
  ruleName: string,
  groupName: string,
  visibility: Visibility,
  countOnly: readonly string[] = [],
): Omit<wafv2.CfnWebACL.RuleProperty, 'priority'> {
  return {
    name: ruleName,
    // none: the group's own rule actions apply (a group rule cannot carry a plain action)
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: groupName,
        ...(countOnly.length > 0 && { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }),
      },
    },
    visibilityConfig: visibility(ruleName),
  };
}

/**
 * Per source IP; with scope `registration`, only POSTs to the registration path count, so a client
 * managing itself never uses up its address's registration budget. The path is matched anywhere in
 * the URI (the execute-api URL has the stage in front, a custom domain may have a base path), after
 * URL decoding and path normalization so `//as/%63lients.oauth2` counts too.
 */
function rateLimitStatement(waf: WafConfig): wafv2.CfnWebACL.RateBasedStatementProperty {
  return {
    limit: waf.rateLimit,
    evaluationWindowSec: waf.rateWindowSeconds,
    aggregateKeyType: 'IP',
    ...(waf.rateLimitScope === 'registration' && {
      scopeDownStatement: {
        andStatement: {
          statements: [
            {
              byteMatchStatement: {
                fieldToMatch: { method: {} },
                positionalConstraint: 'EXACTLY',
                searchString: REGISTRATION_ROUTE.method,
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
            {
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: 'CONTAINS',
                searchString: REGISTRATION_ROUTE.path.toLowerCase(),
                textTransformations: [
                  { priority: 0, type: 'URL_DECODE' },
                  { priority: 1, type: 'NORMALIZE_PATH' },
                  { priority: 2, type: 'LOWERCASE' },
                ],
              },
            },
          ],
        },
      },
    }),
  };
}

/** WAF's own 429, shaped like the service's errors (JSON, no-store), with when to come back. */
function tooManyRequests(windowSeconds: number): HttpResponse {
  return json(
    429,
    { error: 'temporarily_unavailable', error_description: 'too many requests from this address; retry later' },
    { 'Retry-After': String(windowSeconds) },
  );
}

function customResponseBody(response: HttpResponse): wafv2.CfnWebACL.CustomResponseBodyProperty {
  return { contentType: 'APPLICATION_JSON', content: response.body };
}

// WAF sets Content-Type from the body and refuses it as a custom header.
function customResponse(bodyKey: string, response: HttpResponse): wafv2.CfnWebACL.CustomResponseProperty {
  return {
    responseCode: response.status,
    customResponseBodyKey: bodyKey,
    responseHeaders: Object.entries(response.headers)
      .filter(([header]) => header.toLowerCase() !== 'content-type')
      .map(([header, value]) => ({ name: header, value })),
  };
}
