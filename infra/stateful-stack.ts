// What must survive a redeploy: the client table, the key of its sealed secrets, and the table of the
// initial access tokens this service issues. Kept apart from the functions and the API so those
// can be replaced (or the stateless stack destroyed) without touching the data.

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { IAT_ATTR } from '../lib/store/dynamodb-initial-access-token-store.js';
import { ATTR } from '../lib/store/item.js';
import type { DcrConfig } from './config.js';

export interface StatefulStackProps extends StackProps {
  readonly config: DcrConfig;
}

export class StatefulStack extends Stack {
  readonly table: TableV2;
  /** Seals the secrets of clients that need them recoverable (client_secret_jwt, HS* algorithms). */
  readonly secretKey: Key;
  /** Initial access tokens issued by `npm run admin -- iat create`; registration verifies and uses them up. */
  readonly initialAccessTokenTable: TableV2;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    // TableV2 (AWS::DynamoDB::GlobalTable) so a replica region can be added later without replacing
    // the table. CloudFormation names it: a fixed name would block any change that needs a replacement.
    // Idle expiry (Client Idle Lifetime): DynamoDB deletes a client some time after idle_expires_at,
    // with nothing scanned; the functions treat it as gone from that moment on.
    this.table = new TableV2(this, 'Clients', {
      partitionKey: { name: 'client_id', type: AttributeType.STRING },
      timeToLiveAttribute: ATTR.idleExpiresAt,
      // the lifecycle events function reads each write's before and after images (infra/lifecycle-events.ts)
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.production,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Its own table: the admin tool lists it with a Scan, which must never read clients. DynamoDB
    // deletes a token (TTL on purge_at) 30 days after it expired; until then `iat list` shows it.
    this.initialAccessTokenTable = new TableV2(this, 'InitialAccessTokens', {
      partitionKey: { name: IAT_ATTR.id, type: AttributeType.STRING },
      timeToLiveAttribute: IAT_ATTR.purgeAt,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.production,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.secretKey = new Key(this, 'ClientSecretKey', {
      alias: `alias/dcr-${config.stage}-client-secrets`,
      description: 'Encrypts recoverable client secrets (context: client_id) for the DCR service and the authorization server',
      enableKeyRotation: true,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: config.production ? undefined : Duration.days(7),
    });

    new CfnOutput(this, 'ClientSecretKeyArn', {
      description: 'KMS key of the recoverable client secrets (client_secret_sealed)',
      value: this.secretKey.keyArn,
    });

    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table of the registered clients',
      value: this.table.tableName,
      exportName: `dcr-${config.stage}-table-name`,
    });

    new CfnOutput(this, 'InitialAccessTokenTableName', {
      description:
        'DynamoDB table of the initial access tokens of this service (npm run admin -- iat ... --table <name>, or DCR_IAT_TABLE_NAME)',
      value: this.initialAccessTokenTable.tableName,
      exportName: `dcr-${config.stage}-iat-table-name`,
    });
  }
}
