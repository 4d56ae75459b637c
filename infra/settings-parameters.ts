// The SSM parameters that hold the settings, created by the deploy only when they do not exist yet.
// Once created, a parameter belongs to the operators: no later deploy writes it again, whatever
// changes in SETTINGS (a new default, a reworded label). SSM itself is the one source of truth.
//
// Each parameter is seeded by a custom resource that calls ssm:PutParameter with Overwrite=false on
// Create (an existing parameter is left as it is) and makes no call on Update. A CloudFormation
// AWS::SSM::Parameter would write its template value back on every update of the resource.

import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, Logging, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { SettingDefinition } from '../lib/settings/catalog.js';
import { SETTING_LABELS } from '../lib/settings/catalog-docs.js';

export interface SettingsParametersProps {
  /** `/dcr/<stage>/` */
  readonly prefix: string;
  readonly settings: readonly SettingDefinition[];
  /** The value each parameter is created with, by parameter name (defaults: each setting's seed default). */
  readonly seedValues?: Readonly<Record<string, string>>;
  /**
   * Whether the parameters outlive the stack (prod). Otherwise destroying the stack deletes them, so
   * a new dev stack starts from the defaults again.
   */
  readonly retain: boolean;
  readonly logRetention: logs.RetentionDays;
}

/** Seeds one SSM String parameter per setting, never overwriting one that exists. */
export class SettingsParameters extends Construct {
  /** The parameters' full names (`/dcr/<stage>/registration-enabled`, ...), in SETTINGS order. */
  readonly names: readonly string[];
  /** Their ARNs, for the functions' ssm:GetParameters grant. */
  readonly arns: readonly string[];
  /** One custom resource per parameter. */
  readonly seeds: readonly AwsCustomResource[];

  constructor(scope: Construct, id: string, props: SettingsParametersProps) {
    super(scope, id);
    const { prefix, settings, seedValues = {}, retain } = props;
    const stack = Stack.of(this);
    this.names = settings.map((definition) => `${prefix}${definition.parameter}`);
    this.arns = this.names.map((name) =>
      // the name's leading slash is the ARN's separator: parameter/dcr/<stage>/<setting>
      stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    );

    // The provider function (one per stack, shared by every AwsCustomResource) writes only to its own
    // log group and may only create (and in dev delete) these parameters.
    const logGroup = new logs.LogGroup(this, 'SeedLogs', {
      retention: props.logRetention,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'SeedRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Creates the DCR settings parameters under ${prefix} when they are missing`,
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:PutParameter', ...(retain ? [] : ['ssm:DeleteParameter'])], resources: [...this.arns] }),
    );

    const seeds: AwsCustomResource[] = [];
    settings.forEach((definition, index) => {
      const name = this.names[index]!;
      const value = seedValues[definition.parameter] ?? definition.defaultValue;
      if (value === '') {
        // SSM refuses empty values, and the stack would fail only at deploy time.
        throw new Error(`setting ${definition.parameter} needs a non-empty seed default for its SSM parameter`);
      }
      const seed = new AwsCustomResource(this, `Seed-${definition.parameter}`, {
        resourceType: 'Custom::DcrSettingParameter',
        onCreate: {
          service: 'SSM',
          action: 'putParameter',
          parameters: {
            Name: name,
            Value: value,
            Type: 'String',
            Tier: 'Standard',
            Description: SETTING_LABELS[definition.key],
            Overwrite: false,
          },
          physicalResourceId: PhysicalResourceId.of(name),
          // an operator (or an earlier stack) created it: that value stays
          ignoreErrorCodesMatching: 'ParameterAlreadyExists',
          logging: Logging.withDataHidden(),
        },
        // no onUpdate: a deploy never writes a parameter that exists
        ...(!retain && {
          onDelete: {
            service: 'SSM',
            action: 'deleteParameter',
            parameters: { Name: name },
            ignoreErrorCodesMatching: 'ParameterNotFound',
            logging: Logging.withDataHidden(),
          },
        }),
        role,
        logGroup,
        // the SDK in the Lambda runtime has PutParameter; downloading a newer one would need the network at deploy time
        installLatestAwsSdk: false,
        memorySize: 256,
      });
      // one after the other: CloudFormation would otherwise create them all at once, beyond what
      // SSM's PutParameter rate allows without throttling
      const previous = seeds.at(-1);
      if (previous !== undefined) seed.node.addDependency(previous);
      seeds.push(seed);
    });
    this.seeds = seeds;

    // The provider function AwsCustomResource shares across the stack: it runs only while CloudFormation
    // creates or deletes a parameter.
    const provider = stack.node.findChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    Validations.of(provider).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'CloudFormation invokes the provider and waits for its answer; a failure fails the deploy, and a dead-letter queue would hold nothing anyone retries',
    });
    Validations.of(provider).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason: 'a deploy-time helper making one ssm:PutParameter call per new setting; there is no request to trace',
    });
  }
}
