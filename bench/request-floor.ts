// The floor of `npm run bench`: a server that does nothing else. Four Lambda handlers that read the
// API Gateway event, make the one DynamoDB request of their operation (the kind the service makes, on
// the same SDK client and table, with an item as big as the service's: a copy of one it stored), and
// answer JSON. No validation, no hashing, no logs, no metrics: what the service spends over them is
// its own work.
import { randomBytes } from 'node:crypto';
import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
type Item = Record<string, AttributeValue>;

export interface FloorHandlers {
  readonly register: Handler;
  readonly read: Handler;
  readonly update: Handler;
  readonly delete: Handler;
}

const json = (statusCode: number, body?: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: body === undefined ? '' : JSON.stringify(body),
});
const tokenOf = (event: APIGatewayProxyEvent) => (event.headers.authorization ?? '').slice('Bearer '.length);
const newToken = () => randomBytes(32).toString('base64url');
const keyOf = (event: APIGatewayProxyEvent) => ({ client_id: { S: event.pathParameters!.clientId! } });
const TOKEN = 'floor_token';

/** `template`: an item the service stored, whose attributes each registration copies. */
export function floorHandlers(client: DynamoDBClient, tableName: string, template: Item): FloorHandlers {
  return {
    async register(event) {
      const metadata = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
      const clientId = randomBytes(18).toString('base64url');
      const token = newToken();
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...template, client_id: { S: clientId }, [TOKEN]: { S: token } },
          ConditionExpression: 'attribute_not_exists(client_id)',
        }),
      );
      return json(201, { client_id: clientId, registration_access_token: token, ...metadata });
    },
    // rotates the token and answers the item, as the read route does with rotation on
    async read(event) {
      const token = newToken();
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(event),
          UpdateExpression: 'SET #token = :new',
          ConditionExpression: '#token = :old',
          ExpressionAttributeNames: { '#token': TOKEN },
          ExpressionAttributeValues: { ':new': { S: token }, ':old': { S: tokenOf(event) } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return json(200, { ...unmarshall(Attributes!), [TOKEN]: undefined, registration_access_token: token });
    },
    // replaces every member the body sends and rotates the token
    async update(event) {
      const metadata = JSON.parse(event.body ?? '{}') as Record<string, unknown>;
      const values = marshall(metadata, { removeUndefinedValues: true });
      const names = Object.keys(values);
      const token = newToken();
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(event),
          UpdateExpression: `SET #token = :new, ${names.map((_, i) => `#m${i} = :m${i}`).join(', ')}`,
          ConditionExpression: '#token = :old',
          ExpressionAttributeNames: { '#token': TOKEN, ...Object.fromEntries(names.map((name, i) => [`#m${i}`, name])) },
          ExpressionAttributeValues: {
            ':new': { S: token },
            ':old': { S: tokenOf(event) },
            ...Object.fromEntries(names.map((name, i) => [`:m${i}`, values[name]!])),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return json(200, { ...metadata, registration_access_token: token });
    },
    async delete(event) {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: keyOf(event),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': TOKEN },
          ExpressionAttributeValues: { ':token': { S: tokenOf(event) } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return json(204);
    },
  };
}
