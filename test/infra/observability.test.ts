// CDK assertions on what an operator watches: X-Ray tracing, the function, access and WAF logs, the
// alarms (with their thresholds and SNS actions) and the dashboard. Nothing here depends on the
// functions' code, so the stacks are synthesized without bundling.

import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_METRICS } from '../../infra/monitoring.js';
import { ROUTES } from '../../infra/routes.js';
import { ACCESS_LOG_FIELDS } from '../../infra/stateless-stack.js';
import { asArray, expectConfigError, type Resource, resourcesOf, routeFunctions, type Synthesized, synthesizer } from '../support/cdk.js';

const synth = synthesizer({ bundle: false });

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:dcr-alarms';
/** prod with WAF, an alarm topic and every threshold set away from its default */
const WATCHED_CONTEXT = {
  stage: 'prod',
  waf: 'true',
  alarmTopicArn: TOPIC_ARN,
  alarm5xxRatePercent: '2.5',
  alarmLatencyP99Ms: '1500',
  alarmLambdaErrors: '3',
  alarmLambdaThrottles: '4',
  alarmDynamoDbThrottles: '5',
  alarmSettingsReadFailures: '6',
  alarmWafBlockedRequests: '700',
};

let dev: Synthesized;
let watched: Synthesized;
let untraced: Synthesized;

beforeAll(() => {
  dev = synth({});
  watched = synth(WATCHED_CONTEXT);
  untraced = synth({ tracing: 'false' });
});

type Alarm = Resource['Properties'];

function alarms(synthesized: Synthesized): Map<string, Alarm> {
  return new Map(
    Object.values(resourcesOf(synthesized.stateless, 'AWS::CloudWatch::Alarm')).map((alarm) => [
      alarm.Properties.AlarmName as string,
      alarm.Properties,
    ]),
  );
}

/** The one metric an alarm watches, whether written inline or (with a label) as a Metrics entry. */
function metricOf(alarm: Alarm): { Namespace: string; MetricName: string; Dimensions: unknown[]; Stat: string } {
  if (alarm.Metrics === undefined) {
    return {
      Namespace: alarm.Namespace,
      MetricName: alarm.MetricName,
      Dimensions: alarm.Dimensions,
      Stat: alarm.ExtendedStatistic ?? alarm.Statistic,
    };
  }
  expect(alarm.Metrics).toHaveLength(1);
  const { Metric, Stat } = alarm.Metrics[0].MetricStat;
  return { ...Metric, Stat };
}

function functionId(synthesized: Synthesized, route: string): string {
  const fn = synthesized.stage.stateless.functions.get(route as never)!;
  return synthesized.stage.stateless.getLogicalId(fn.node.defaultChild as CfnElement);
}

function roleStatements(synthesized: Synthesized, route: string): Array<{ Action: string | string[]; Resource: unknown }> {
  const fn = synthesized.stage.stateless.functions.get(route as never)!;
  const roleId = synthesized.stage.stateless.getLogicalId(fn.role!.node.defaultChild as CfnElement);
  return Object.values(resourcesOf(synthesized.stateless, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const stageOf = (synthesized: Synthesized) => Object.values(resourcesOf(synthesized.stateless, 'AWS::ApiGateway::Stage'))[0]!;

describe('X-Ray tracing', () => {
  it('is active on the four functions and the API stage by default', () => {
    for (const fn of Object.values(routeFunctions(dev))) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(stageOf(dev).Properties.TracingEnabled).toBe(true);
  });

  it('lets each function send its segments (X-Ray has no resource-level permissions)', () => {
    for (const route of ROUTES) {
      const xray = roleStatements(dev, route.name).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('xray:')),
      );
      expect(xray).toEqual([expect.objectContaining({ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' })]);
    }
  });

  it('is off everywhere with -c tracing=false, and so is the X-Ray grant', () => {
    for (const fn of Object.values(routeFunctions(untraced))) expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(stageOf(untraced).Properties.TracingEnabled).toBe(false);
    for (const route of ROUTES) expect(JSON.stringify(roleStatements(untraced, route.name))).not.toContain('xray:');
  });

  it('reads the tracing switch strictly', () => {
    expectConfigError({ tracing: 'off' }, 'tracing');
  });
});

describe('function logs', () => {
  it('are written by each function to its own log group only: no managed AWSLambdaBasicExecutionRole', () => {
    for (const route of ROUTES) {
      const fn = routeFunctions(dev)[functionId(dev, route.name)]!;
      const logGroup = fn.Properties.LoggingConfig.LogGroup as { Ref: string };
      const logs = roleStatements(dev, route.name).filter((statement) =>
        asArray(statement.Action).some((action) => action.startsWith('logs:')),
      );
      expect(logs).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroup.Ref, 'Arn'] },
        }),
      ]);
    }
    const roles = Object.entries(resourcesOf(dev.stateless, 'AWS::IAM::Role'));
    // the only managed policy left is the account-wide API Gateway logging role's
    const managed = roles.filter(([, role]) => role.Properties.ManagedPolicyArns !== undefined);
    expect(JSON.stringify(managed.map(([, role]) => role.Properties.ManagedPolicyArns))).not.toContain('AWSLambdaBasicExecutionRole');
    expect(managed.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiCloudWatchRole/)]);
  });

  it('give each function its stage as DCR_STAGE, the Stage dimension of its metrics', () => {
    for (const fn of Object.values(routeFunctions(watched))) expect(fn.Properties.Environment.Variables.DCR_STAGE).toBe('prod');
  });
});

describe('API access logs', () => {
  const format = (synthesized: Synthesized) => stageOf(synthesized).Properties.AccessLogSetting.Format as string;

  it('are one JSON object per request once API Gateway has quoted the error message', () => {
    const line = format(dev).replace('$context.error.messageString', JSON.stringify('Missing "Authentication" Token'));
    expect(JSON.parse(line)).toEqual({ ...ACCESS_LOG_FIELDS, errorMessage: 'Missing "Authentication" Token' });
  });

  it('carry who, what, the answer, the latencies and the error fields', () => {
    expect(ACCESS_LOG_FIELDS).toMatchObject({
      requestId: '$context.requestId',
      xrayTraceId: '$context.xrayTraceId',
      ip: '$context.identity.sourceIp',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integration.error',
      errorResponseType: '$context.error.responseType',
      errorMessage: '$context.error.message',
      wafResponseCode: '$context.wafResponseCode',
    });
    expect(format(dev)).toContain('"errorMessage":$context.error.messageString');
  });

  it('never log a header, the query or the body (tokens travel there)', () => {
    expect(format(dev)).not.toMatch(/\$input|\$context\.authorizer|header|querystring|\$context\.requestOverride/i);
  });

  it('go to a log group retained in prod and destroyed in dev', () => {
    for (const [synthesized, policy] of [
      [dev, 'Delete'],
      [watched, 'Retain'],
    ] as const) {
      const destination = stageOf(synthesized).Properties.AccessLogSetting.DestinationArn as { 'Fn::GetAtt': [string, string] };
      const group = resourcesOf(synthesized.stateless, 'AWS::Logs::LogGroup')[destination['Fn::GetAtt'][0]]!;
      expect(group).toMatchObject({ DeletionPolicy: policy, Properties: { RetentionInDays: synthesized === dev ? 30 : 365 } });
    }
  });
});

describe('WAF logging', () => {
  it('is absent without WAF', () => {
    dev.stateless.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
  });

  it('sends blocked and counted requests, without the Authorization header, to aws-waf-logs-dcr-<stage>', () => {
    const [config] = Object.values(resourcesOf(watched.stateless, 'AWS::WAFv2::LoggingConfiguration'));
    const webAclId = watched.stage.stateless.getLogicalId(watched.stage.stateless.firewall!.webAcl);
    expect(config!.Properties.ResourceArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
    expect(config!.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    expect(config!.Properties.LoggingFilter).toEqual({
      DefaultBehavior: 'DROP',
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
        },
      ],
    });
    // the log group's ARN without the `:*` WAF refuses
    const destination = JSON.stringify(config!.Properties.LogDestinationConfigs);
    expect(destination).toContain(':log-group:aws-waf-logs-dcr-prod"');
    const [groupId, group] = Object.entries(resourcesOf(watched.stateless, 'AWS::Logs::LogGroup')).find(
      ([, candidate]) => candidate.Properties.LogGroupName === 'aws-waf-logs-dcr-prod',
    )!;
    expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    expect(config!.DependsOn).toContain(groupId);
  });
});

describe('alarms', () => {
  const expectedNames = (stage: string, waf: boolean) =>
    [
      `dcr-${stage}-api-5xx-rate`,
      `dcr-${stage}-api-latency-p99`,
      ...ROUTES.flatMap((route) => [`dcr-${stage}-${route.name}-errors`, `dcr-${stage}-${route.name}-throttles`]),
      `dcr-${stage}-dynamodb-throttles`,
      `dcr-${stage}-settings-read-failures`,
      ...(waf ? [`dcr-${stage}-waf-blocked-requests`] : []),
    ].sort();

  it('cover the API, every function, DynamoDB and the settings; WAF only when it is on', () => {
    expect([...alarms(dev).keys()].sort()).toEqual(expectedNames('dev', false));
    expect([...alarms(watched).keys()].sort()).toEqual(expectedNames('prod', true));
  });

  it('alarm at or above the threshold, treat no data as fine, and point to the operations page', () => {
    for (const alarm of alarms(dev).values()) {
      expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      expect(alarm.AlarmDescription).toContain('docs/operations.md');
    }
  });

  it('watch the share of 5xx answers of the API stage', () => {
    const alarm = alarms(dev).get('dcr-dev-api-5xx-rate')!;
    expect(alarm.Threshold).toBe(5);
    const [expression, ...inputs] = alarm.Metrics as Array<Record<string, any>>;
    expect(expression!.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const byId = Object.fromEntries(inputs.map((input) => [input.Id, input.MetricStat.Metric]));
    expect(byId.requests).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' });
    expect(byId.errors).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError' });
    expect(byId.errors.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiName', Value: 'dcr-dev' },
        { Name: 'Stage', Value: expect.anything() },
      ]),
    );
  });

  it('watch the p99 latency for three periods in a row', () => {
    const alarm = alarms(dev).get('dcr-dev-api-latency-p99')!;
    expect(metricOf(alarm)).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Stat: 'p99' });
    expect(alarm).toMatchObject({
      Threshold: 2000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('watch the errors and throttles of each function', () => {
    for (const route of ROUTES) {
      for (const [suffix, metricName] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ]) {
        const alarm = alarms(dev).get(`dcr-dev-${route.name}-${suffix}`)!;
        expect(metricOf(alarm)).toEqual({
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Stat: 'Sum',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(dev, route.name) } }],
        });
        expect(alarm.Threshold).toBe(1);
      }
    }
  });

  it('watch the read and write throttles of both tables', () => {
    const alarm = alarms(dev).get('dcr-dev-dynamodb-throttles')!;
    const stats = (alarm.Metrics as Array<Record<string, any>>).filter((metric) => metric.MetricStat !== undefined);
    expect(stats.map((metric) => metric.MetricStat.Metric.MetricName).sort()).toEqual([
      'ReadThrottleEvents',
      'ReadThrottleEvents',
      'WriteThrottleEvents',
      'WriteThrottleEvents',
    ]);
    const tables = new Set(stats.map((metric) => JSON.stringify(metric.MetricStat.Metric.Dimensions)));
    expect(tables.size).toBe(2);
    for (const table of tables) expect(table).toContain('DcrStateful-dev:');
  });

  it('watch the SettingsReadFailures metric the handlers emit', () => {
    const alarm = alarms(dev).get('dcr-dev-settings-read-failures')!;
    expect(metricOf(alarm)).toEqual({
      Namespace: SERVICE_METRICS.namespace,
      MetricName: 'SettingsReadFailures',
      Dimensions: [{ Name: 'Stage', Value: 'dev' }],
      Stat: 'Sum',
    });
    expect(alarm.Threshold).toBe(1);
  });

  it('watch the requests WAF blocks, in the region of the stack', () => {
    const alarm = alarms(watched).get('dcr-prod-waf-blocked-requests')!;
    expect(metricOf(alarm)).toEqual({
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: [
        { Name: 'Region', Value: { Ref: 'AWS::Region' } },
        { Name: 'Rule', Value: 'ALL' },
        { Name: 'WebACL', Value: 'dcr-prod' },
      ],
      Stat: 'Sum',
    });
    expect(alarm.Threshold).toBe(700);
  });

  it('take their thresholds from the context', () => {
    const found = alarms(watched);
    expect(found.get('dcr-prod-api-5xx-rate')!.Threshold).toBe(2.5);
    expect(found.get('dcr-prod-api-latency-p99')!.Threshold).toBe(1500);
    expect(found.get('dcr-prod-register-errors')!.Threshold).toBe(3);
    expect(found.get('dcr-prod-delete-throttles')!.Threshold).toBe(4);
    expect(found.get('dcr-prod-dynamodb-throttles')!.Threshold).toBe(5);
    expect(found.get('dcr-prod-settings-read-failures')!.Threshold).toBe(6);
  });

  it('notify the SNS topic of the context on ALARM and on OK, and nobody without one', () => {
    for (const alarm of alarms(watched).values()) {
      expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.OKActions).toEqual([TOPIC_ARN]);
    }
    for (const alarm of alarms(dev).values()) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
  });

  it('refuse a malformed topic or threshold', () => {
    expectConfigError({ alarmTopicArn: 'dcr-alarms' }, 'alarmTopicArn', /SNS topic ARN/);
    expectConfigError({ alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' }, 'alarmTopicArn');
    expectConfigError({ alarm5xxRatePercent: '150' }, 'alarm5xxRatePercent', /at most 100/);
    expectConfigError({ alarmLatencyP99Ms: '0' }, 'alarmLatencyP99Ms');
    expectConfigError({ alarmLambdaErrors: 'many' }, 'alarmLambdaErrors');
  });
});

describe('dashboard', () => {
  const body = (synthesized: Synthesized) => {
    const [dashboard] = Object.values(resourcesOf(synthesized.stateless, 'AWS::CloudWatch::Dashboard'));
    return { name: dashboard!.Properties.DashboardName as string, text: JSON.stringify(dashboard!.Properties.DashboardBody) };
  };

  it('is one dashboard per stage', () => {
    dev.stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(body(dev).name).toBe('dcr-dev');
    expect(body(watched).name).toBe('dcr-prod');
  });

  it('shows the service metrics of the stage: answers and latency by route, refusals, lifecycle, datastore, settings', () => {
    const { text } = body(dev);
    for (const metric of [SERVICE_METRICS.requests, SERVICE_METRICS.latency, SERVICE_METRICS.refusals, ...SERVICE_METRICS.stageCounters]) {
      expect(text).toContain(`${metric}`);
    }
    for (const route of ROUTES) expect(text).toContain(`\\"Route\\",\\"${route.name}\\"`);
    for (const statusClass of ['2xx', '4xx', '5xx']) expect(text).toContain(`\\"StatusClass\\",\\"${statusClass}\\"`);
    expect(text).toContain('\\"Stage\\",\\"dev\\"');
    expect(text).toContain('MetricName=\\\\\\"Refusals\\\\\\" Stage=\\\\\\"dev\\\\\\"');
  });

  it('shows API Gateway, Lambda and DynamoDB metrics, and the state of every alarm', () => {
    const { text } = body(dev);
    for (const metric of ['5XXError', '4XXError', 'IntegrationLatency', 'Errors', 'Throttles', 'Duration', 'ReadThrottleEvents']) {
      expect(text).toContain(`\\"${metric}\\"`);
    }
    for (const alarmId of Object.keys(resourcesOf(dev.stateless, 'AWS::CloudWatch::Alarm'))) expect(text).toContain(alarmId);
  });

  it('shows WAF only when it is on', () => {
    expect(body(dev).text).not.toContain('AWS/WAFV2');
    expect(body(watched).text).toContain('AWS/WAFV2');
  });
});
