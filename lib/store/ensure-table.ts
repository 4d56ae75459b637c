import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ATTR } from './item.js';

/**
 * Creates the client table when it is missing (local mode: dynalite, LocalStack, DynamoDB Local).
 * In AWS the stateful stack owns the table and this is never called.
 */
export function ensureClientTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  return ensureTable(client, tableName, ATTR.clientId);
}

/** Creates an on-demand table keyed by one string attribute, if missing, and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string, keyAttribute: string): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'exists';
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      outcome = 'created';
    } catch (createError) {
      // another process created it first
      if ((createError as Error).name !== 'ResourceInUseException') throw createError;
    }
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
