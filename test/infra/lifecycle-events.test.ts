import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAM_RETRY_ATTEMPTS } from '../../infra/lifecycle-events.js';
import { ENVIRONMENT, readEnvironment } from '../../lib/settings/environment.js';
import { expectConfigError, resourcesOf, type Synthesized, synthesizer } from '../support/cdk.js';

// The lifecycle events stack (DcrEvents-<stage>): the client table's stream, the function it feeds,
// its failure destination and the bus it publishes to.

const synth = synthesizer({ bundle: false });

describe('lifecycle events infrastructure', () => {
  let dev: Synthesized;
  let devEvents: Template;
  let customEvents: Template;

  beforeAll(() => {
    dev = synth({});
    devEvents = Template.fromStack(dev.stage.events);
    customEvents = Template.fromStack(synth({ stage: 'prod', eventBusName: 'dcr-lifecycle' }).stage.events);
  });

  it('turns on the client table stream with both images, and TTL on idle_expires_at', () => {
    const table = Object.values(resourcesOf(dev.stateful, 'AWS::DynamoDB::GlobalTable')).find(
      (resource) => resource.Properties.KeySchema[0].AttributeName === 'client_id',
    )!;
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'idle_expires_at', Enabled: true });
  });

  it('has one function, arm64 on nodejs22.x, with only variables of the environment catalogue', () => {
    const functions = Object.values(resourcesOf(devEvents, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    const fn = functions[0]!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    const names = new Set(Object.values(ENVIRONMENT).map((definition) => definition.name));
    expect(Object.keys(variables).filter((name) => !names.has(name))).toEqual([]);
    expect(variables.DCR_TABLE_NAME).toEqual({ 'Fn::ImportValue': expect.stringContaining('DcrStateful-dev:') });
    expect(variables).not.toHaveProperty('DCR_EVENT_BUS_NAME');
    expect(() => readEnvironment({ DCR_STAGE: String(variables.DCR_STAGE) })).not.toThrow();
  });

  it('reads the stream from its start, reports partial batch failures, halves failing batches, retries a bounded number of times, then sends to SQS', () => {
    const mappings = Object.values(resourcesOf(devEvents, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    const queues = resourcesOf(devEvents, 'AWS::SQS::Queue');
    const [queueId] = Object.keys(queues);
    expect(mappings[0]!.Properties).toMatchObject({
      EventSourceArn: { 'Fn::ImportValue': expect.stringContaining('DcrStateful-dev:') },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(queues[queueId!]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
  });

  it('may read the stream, put events on the default bus, write the cap counters and send to its queue; nothing more', () => {
    const statements = Object.values(resourcesOf(devEvents, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const actions = statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])).sort();
    expect(actions).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        // its own log group only (no managed AWSLambdaBasicExecutionRole), and X-Ray (tracing on by default)
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const putEvents = statements.find((statement) => statement.Action === 'events:PutEvents')!;
    expect(JSON.stringify(putEvents.Resource)).toContain('event-bus/default');
  });

  it('publishes to the bus named in context, and tells the function its name', () => {
    const fn = Object.values(resourcesOf(customEvents, 'AWS::Lambda::Function'))[0]!;
    expect(fn.Properties.Environment.Variables.DCR_EVENT_BUS_NAME).toBe('dcr-lifecycle');
    const statements = Object.values(resourcesOf(customEvents, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[],
    );
    expect(JSON.stringify(statements.find((statement) => statement.Action === 'events:PutEvents')!.Resource)).toContain(
      'event-bus/dcr-lifecycle',
    );
  });

  it('refuses a bus name that EventBridge would refuse', () => {
    expectConfigError({ eventBusName: 'no spaces allowed' }, 'eventBusName');
  });
});
