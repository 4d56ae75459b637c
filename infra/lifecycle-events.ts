// The lifecycle events function (docs/lifecycle.md): the client table's stream feeds it; it publishes
// ClientRegistered, ClientUpdated, ClientCredentialsRotated, ClientDeleted and ClientExpired to
// EventBridge and gives the cap places of expired clients back. Partial batch failures are reported,
// a failing batch is halved until the bad record stands alone, and a record that still fails after
// the retries lands in an SQS queue (its stream position, to be read again while the stream keeps it).

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentOf } from '../lib/settings/environment.js';
import { routeCode, sourceMapsEnvironment } from './bundling.js';
import type { DcrConfig } from './config.js';
import { NODE_RUNTIME_REASON } from './stateless-stack.js';

export const LIFECYCLE_EVENTS_ENTRY = 'functions/lifecycle-events.ts';
/** How often a failing record is tried again before it goes to the failure queue. */
export const STREAM_RETRY_ATTEMPTS = 5;

export interface LifecycleEventsProps {
  readonly config: DcrConfig;
  /** The client table, with its stream (NEW_AND_OLD_IMAGES). */
  readonly table: ITableV2;
  readonly repoRoot: string;
}

export class LifecycleEvents extends Construct {
  readonly function: lambda.Function;
  readonly failures: sqs.Queue;
  readonly bus: events.IEventBus;

  constructor(scope: Construct, id: string, props: LifecycleEventsProps) {
    super(scope, id);
    const { config, table } = props;
    // a bus named in context (-c eventBusName=...), else the account's default bus
    this.bus =
      config.eventBusName === undefined
        ? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')
        : events.EventBus.fromEventBusName(this, 'Bus', config.eventBusName);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetention,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // its own role, writing its own log group only (no managed AWSLambdaBasicExecutionRole)
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `DCR lifecycle events (${config.stage})`,
    });
    logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Function', {
      description: `DCR lifecycle events from the client table's stream (${config.stage})`,
      code: routeCode(props.repoRoot, LIFECYCLE_EVENTS_ENTRY, { sourceMaps: config.sourceMaps }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      role,
      tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        ...environmentOf({ tableName: table.tableName, eventBusName: config.eventBusName, stage: config.stage }),
        ...sourceMapsEnvironment(config),
      },
    });
    this.bus.grantPutEventsTo(this.function);
    // the cap counters of expired clients: a release marker (PutItem) and the counter (UpdateItem)
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [table.tableArn] }),
    );

    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
      }),
    );

    // cdk-nag findings acknowledged rather than fixed (test/infra/nag.test.ts)
    Validations.of(this.function).acknowledge({ id: 'AwsSolutions-L1', reason: NODE_RUNTIME_REASON });
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: NODE_RUNTIME_REASON });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'a stream-fed function: records that fail after the retries go to the on-failure destination (the Failures queue); a DLQ only receives failed asynchronous invocations',
    });
    if (config.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level permissions',
      });
    } else {
      Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaTracing', reason: 'tracing turned off with -c tracing=false' });
    }
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.failures).acknowledge({
        id,
        reason:
          'the queue is itself the failure destination: its messages are stream positions an operator reads and replays, nothing consumes it to fail again',
      });
    }
  }
}

export interface EventsStackProps extends StackProps {
  readonly config: DcrConfig;
  readonly table: ITableV2;
  readonly repoRoot: string;
}

/**
 * The lifecycle events in a stack of their own (DcrEvents-<stage>): it reads the client table's
 * stream and can be deployed, changed or removed without touching the API or the data.
 */
export class EventsStack extends Stack {
  readonly lifecycleEvents: LifecycleEvents;

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    this.lifecycleEvents = new LifecycleEvents(this, 'LifecycleEvents', {
      config: props.config,
      table: props.table,
      repoRoot: props.repoRoot,
    });
    new CfnOutput(this, 'FailureQueueUrl', {
      description: 'SQS queue of the stream records the lifecycle events function gave up on (their stream position)',
      value: this.lifecycleEvents.failures.queueUrl,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'EventBridge bus of the lifecycle events (source dcr.clients)',
      value: this.lifecycleEvents.bus.eventBusName,
    });
  }
}
