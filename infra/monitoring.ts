// The alarms and the dashboard of one stage. The service's own figures come from the handlers as
// CloudWatch Embedded Metric Format lines (namespace DcrService); everything else is what API Gateway,
// Lambda, DynamoDB and WAF publish anyway. docs/operations.md says what each alarm means and what to do.

import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmConfig } from './config.js';
import type { RouteName } from './routes.js';

/** The custom metrics the handlers emit (lib/ writes them; these names are the contract). */
export const SERVICE_METRICS = {
  namespace: 'DcrService',
  /** Dimension set [Stage], unit Count. */
  stageCounters: [
    'SettingsReadFailures',
    'DatastoreThrottles',
    'DatastoreTimeouts',
    'InitialAccessTokenFailures',
    'ClientsRegistered',
    'CredentialsRotated',
    'ClientsDeleted',
  ],
  /** [Stage, Route], Milliseconds. */
  latency: 'Latency',
  /** [Stage, Route, StatusClass], Count; StatusClass is 2xx, 4xx or 5xx. */
  requests: 'Requests',
  /** [Stage, Route, Error], Count; Error is the OAuth error code of the refusal. */
  refusals: 'Refusals',
} as const;

export type StageCounter = (typeof SERVICE_METRICS.stageCounters)[number];

const STATUS_CLASSES = ['2xx', '4xx', '5xx'] as const;
const PERIOD = Duration.minutes(5);

export interface MonitoringProps {
  readonly stage: string;
  readonly alarms: AlarmConfig;
  readonly apiStage: apigateway.Stage;
  readonly functions: ReadonlyMap<RouteName, lambda.IFunction>;
  /** The client table and the initial access token table. */
  readonly tables: readonly ITableV2[];
  /** Name of the WAF web ACL on the stage, when there is one. */
  readonly webAclName?: string;
}

/** Alarm names (`dcr-<stage>-<suffix>`) by what they watch; per-function alarms add the route name. */
export const ALARM_SUFFIXES = {
  api5xxRate: 'api-5xx-rate',
  apiLatencyP99: 'api-latency-p99',
  lambdaErrors: 'errors',
  lambdaThrottles: 'throttles',
  dynamoDbThrottles: 'dynamodb-throttles',
  settingsReadFailures: 'settings-read-failures',
  wafBlockedRequests: 'waf-blocked-requests',
} as const;

export class Monitoring extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, alarms: thresholds, apiStage, functions, tables, webAclName } = props;
    const name = (suffix: string) => `dcr-${stage}-${suffix}`;
    const serviceMetric = (metricName: string, dimensionsMap: Record<string, string>, statistic = 'Sum', label?: string) =>
      new cloudwatch.Metric({
        namespace: SERVICE_METRICS.namespace,
        metricName,
        dimensionsMap: { Stage: stage, ...dimensionsMap },
        statistic,
        period: PERIOD,
        ...(label !== undefined && { label }),
      });

    const apiRequests = apiStage.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' });
    const api5xx = apiStage.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' });
    const api4xx = apiStage.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' });
    const apiLatencyP99 = apiStage.metricLatency({ period: PERIOD, statistic: 'p99', label: 'latency p99' });
    const fiveXxRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: apiRequests, errors: api5xx },
      period: PERIOD,
      label: '5xx share of requests (%)',
    });
    const tableThrottles = new cloudwatch.MathExpression({
      expression: tables.flatMap((_, index) => [`FILL(r${index}, 0)`, `FILL(w${index}, 0)`]).join(' + '),
      usingMetrics: Object.fromEntries(
        tables.flatMap((table, index) => [
          [`r${index}`, dynamoDbMetric(table, 'ReadThrottleEvents')],
          [`w${index}`, dynamoDbMetric(table, 'WriteThrottleEvents')],
        ]),
      ),
      period: PERIOD,
      label: 'DynamoDB throttled requests (both tables)',
    });
    const wafBlocked =
      webAclName === undefined
        ? undefined
        : new cloudwatch.Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: webAclName, Region: Aws.REGION, Rule: 'ALL' },
            statistic: 'Sum',
            period: PERIOD,
            label: 'blocked by WAF',
          });

    const alarm = (suffix: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods = 1) =>
      new cloudwatch.Alarm(this, suffix, {
        alarmName: name(suffix),
        alarmDescription: `${description} What it means and what to do: docs/operations.md, alarm ${suffix}.`,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        // no traffic is not a failure
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    const alarms: cloudwatch.Alarm[] = [
      alarm(
        ALARM_SUFFIXES.api5xxRate,
        fiveXxRate,
        thresholds.alarm5xxRatePercent,
        `At least ${thresholds.alarm5xxRatePercent}% of the API's answers in 5 minutes were 5xx.`,
      ),
      alarm(
        ALARM_SUFFIXES.apiLatencyP99,
        apiLatencyP99,
        thresholds.alarmLatencyP99Ms,
        `The API's p99 latency was at least ${thresholds.alarmLatencyP99Ms} ms for 15 minutes.`,
        3,
      ),
    ];
    for (const [route, fn] of functions) {
      alarms.push(
        alarm(
          `${route}-${ALARM_SUFFIXES.lambdaErrors}`,
          fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          thresholds.alarmLambdaErrors,
          `The ${route} function failed (crash or timeout) at least ${thresholds.alarmLambdaErrors} time(s) in 5 minutes.`,
        ),
        alarm(
          `${route}-${ALARM_SUFFIXES.lambdaThrottles}`,
          fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
          thresholds.alarmLambdaThrottles,
          `Lambda throttled the ${route} function at least ${thresholds.alarmLambdaThrottles} time(s) in 5 minutes.`,
        ),
      );
    }
    alarms.push(
      alarm(
        ALARM_SUFFIXES.dynamoDbThrottles,
        tableThrottles,
        thresholds.alarmDynamoDbThrottles,
        `DynamoDB throttled at least ${thresholds.alarmDynamoDbThrottles} request(s) on the client or token table in 5 minutes.`,
      ),
      alarm(
        ALARM_SUFFIXES.settingsReadFailures,
        serviceMetric('SettingsReadFailures', {}),
        thresholds.alarmSettingsReadFailures,
        `The functions failed to read the SSM settings at least ${thresholds.alarmSettingsReadFailures} time(s) in 5 minutes.`,
      ),
    );
    if (wafBlocked !== undefined) {
      alarms.push(
        alarm(
          ALARM_SUFFIXES.wafBlockedRequests,
          wafBlocked,
          thresholds.alarmWafBlockedRequests,
          `WAF blocked at least ${thresholds.alarmWafBlockedRequests} requests in 5 minutes.`,
        ),
      );
    }
    if (thresholds.topicArn !== undefined) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', thresholds.topicArn);
      for (const each of alarms) {
        each.addAlarmAction(new actions.SnsAction(topic));
        each.addOkAction(new actions.SnsAction(topic));
      }
    }
    this.alarms = alarms;

    const routes = [...functions.keys()];
    const graph = (title: string, left: cloudwatch.IMetric[], width = 12, right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
    const fnMetric = (metric: (fn: lambda.IFunction) => cloudwatch.Metric) =>
      [...functions].map(([route, fn]) => metric(fn).with({ label: route, period: PERIOD }));
    const search = (metricName: string, dimensions: string[], statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${SERVICE_METRICS.namespace},${dimensions.join(',')}} MetricName="${metricName}" Stage="${stage}"', '${statistic}', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        period: PERIOD,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `dcr-${stage}`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 })],
        [
          graph('API requests and errors (API Gateway)', [apiRequests], 12, [api4xx, api5xx]),
          graph('API latency (API Gateway)', [
            apiStage.metricLatency({ period: PERIOD, statistic: 'p50', label: 'latency p50' }),
            apiLatencyP99,
            apiStage.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'integration latency p99' }),
          ]),
        ],
        [
          graph(
            'Answers by route and status class',
            routes.flatMap((route) =>
              STATUS_CLASSES.map((statusClass) =>
                serviceMetric(SERVICE_METRICS.requests, { Route: route, StatusClass: statusClass }, 'Sum', `${route} ${statusClass}`),
              ),
            ),
          ),
          graph(
            'Handler latency p99 by route',
            routes.map((route) => serviceMetric(SERVICE_METRICS.latency, { Route: route }, 'p99', route)),
          ),
        ],
        [
          graph('Refusals by route and error code', [search(SERVICE_METRICS.refusals, ['Error', 'Route', 'Stage'], 'Sum')]),
          graph(
            'Client lifecycle',
            (['ClientsRegistered', 'CredentialsRotated', 'ClientsDeleted'] satisfies StageCounter[]).map((counter) =>
              serviceMetric(counter, {}, 'Sum', counter),
            ),
          ),
        ],
        [
          graph(
            'Function errors',
            fnMetric((fn) => fn.metricErrors({ statistic: 'Sum' })),
            8,
          ),
          graph(
            'Function throttles',
            fnMetric((fn) => fn.metricThrottles({ statistic: 'Sum' })),
            8,
          ),
          graph(
            'Function duration p99',
            fnMetric((fn) => fn.metricDuration({ statistic: 'p99' })),
            8,
          ),
        ],
        [
          graph(
            'Datastore',
            [tableThrottles],
            12,
            (['DatastoreThrottles', 'DatastoreTimeouts'] satisfies StageCounter[]).map((counter) =>
              serviceMetric(counter, {}, 'Sum', counter),
            ),
          ),
          graph(
            'Settings and initial access tokens',
            (['SettingsReadFailures', 'InitialAccessTokenFailures'] satisfies StageCounter[]).map((counter) =>
              serviceMetric(counter, {}, 'Sum', counter),
            ),
          ),
        ],
        ...(wafBlocked === undefined || webAclName === undefined
          ? []
          : [
              [
                graph('WAF', [
                  new cloudwatch.Metric({
                    namespace: 'AWS/WAFV2',
                    metricName: 'AllowedRequests',
                    dimensionsMap: { WebACL: webAclName, Region: Aws.REGION, Rule: 'ALL' },
                    statistic: 'Sum',
                    period: PERIOD,
                    label: 'allowed',
                  }),
                  wafBlocked,
                ]),
              ],
            ]),
      ],
    });
  }
}

function dynamoDbMetric(table: ITableV2, metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensionsMap: { TableName: table.tableName },
    statistic: 'Sum',
    period: PERIOD,
  });
}
