import {
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  type ReturnValue,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

// Plain JavaScript values in and out of DynamoDB, like lib-dynamodb's DocumentClient, on a client
// whose middleware stack is resolved once per command type (`cacheMiddleware`). lib-dynamodb's
// commands cannot use that cache: their handler is bound to the first command instance, so every
// later request would send the first one's input. Resolving the stack per request cost about
// 0.2 ms of CPU per DynamoDB call (bench/register.ts), a sixth of a registration.

type Values = Record<string, unknown>;

interface Expressions {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Values;
}

export interface GetInput {
  readonly TableName: string;
  readonly Key: Values;
  readonly ConsistentRead?: boolean;
}

export interface PutInput extends Expressions {
  readonly TableName: string;
  readonly Item: Values;
}

export interface UpdateInput extends Expressions {
  readonly TableName: string;
  readonly Key: Values;
  readonly UpdateExpression: string;
  readonly ReturnValues?: ReturnValue;
}

export interface DeleteInput extends Expressions {
  readonly TableName: string;
  readonly Key: Values;
  readonly ReturnValues?: ReturnValue;
}

export interface ScanInput {
  readonly TableName: string;
  readonly ProjectionExpression?: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Values;
  readonly ExclusiveStartKey?: Values;
  readonly Limit?: number;
  readonly ConsistentRead?: boolean;
}

export type DynamoDbDocumentsConfig = DynamoDBClientConfig;

// The marshaller tells plain objects by `constructor.name`; a metadata map may hold a member named
// `constructor` (an operator's extended property), which would make it look like a class instance.
// Items hold only JSON data, so every object is a map.
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: true } as const;

export class DynamoDbDocuments {
  readonly client: DynamoDBClient;

  constructor(config: DynamoDbDocumentsConfig = {}) {
    // Short timeouts: a Lambda behind API Gateway has 29 s at most, and a hung socket should become
    // a 503 the caller can retry. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB when set.
    this.client = new DynamoDBClient({
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
      cacheMiddleware: true,
      ...config,
    });
  }

  async get(input: GetInput): Promise<{ Item?: Values }> {
    const output = await this.client.send(new GetItemCommand({ ...input, Key: marshall(input.Key, MARSHALL) }));
    return { Item: output.Item && unmarshall(output.Item) };
  }

  async put(input: PutInput): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        ...input,
        Item: marshall(input.Item, MARSHALL),
        ExpressionAttributeValues: values(input.ExpressionAttributeValues),
      }),
    );
  }

  async update(input: UpdateInput): Promise<{ Attributes?: Values }> {
    const output = await this.client.send(
      new UpdateItemCommand({
        ...input,
        Key: marshall(input.Key, MARSHALL),
        ExpressionAttributeValues: values(input.ExpressionAttributeValues),
      }),
    );
    return { Attributes: output.Attributes && unmarshall(output.Attributes) };
  }

  async delete(input: DeleteInput): Promise<{ Attributes?: Values }> {
    const output = await this.client.send(
      new DeleteItemCommand({
        ...input,
        Key: marshall(input.Key, MARSHALL),
        ExpressionAttributeValues: values(input.ExpressionAttributeValues),
      }),
    );
    return { Attributes: output.Attributes && unmarshall(output.Attributes) };
  }

  /** Admin tools only: no request path scans. */
  async scan(input: ScanInput): Promise<{ Items: Values[]; LastEvaluatedKey?: Values }> {
    const output = await this.client.send(
      new ScanCommand({
        ...input,
        ExclusiveStartKey: input.ExclusiveStartKey && marshall(input.ExclusiveStartKey, MARSHALL),
        ExpressionAttributeValues: values(input.ExpressionAttributeValues),
      }),
    );
    return {
      Items: (output.Items ?? []).map((item) => unmarshall(item)),
      LastEvaluatedKey: output.LastEvaluatedKey && unmarshall(output.LastEvaluatedKey),
    };
  }

  destroy(): void {
    this.client.destroy();
  }
}

function values(expressionValues: Values | undefined) {
  return expressionValues && marshall(expressionValues, MARSHALL);
}
