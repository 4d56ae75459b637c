// A DynamoDB adapter for node-oidc-provider, so the benchmark stores its clients and tokens in the same
// embedded DynamoDB as ours. One table, partition key `${model}:${id}`; the three secondary lookups the
// adapter interface needs (userCode, uid, grantId) are sparse global indexes, never scans. None of them
// is touched by registration: a Client or RegistrationAccessToken payload carries no uid, userCode or grantId.
// It talks to DynamoDB through the same DynamoDbDocuments as our store, so both pay the same per request.
import { CreateTableCommand, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { DynamoDbDocuments } from '../lib/store/dynamodb-documents.js';

const KEY = 'pk';
const INDEXES = { uid: 'uid-index', userCode: 'user-code-index', grantId: 'grant-index' } as const;
type IndexedField = keyof typeof INDEXES;

interface StoredItem {
  pk: string;
  payload: AdapterPayload;
  expiresAt?: number;
}

const epoch = () => Math.floor(Date.now() / 1000);

export async function createAdapterTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const fields = Object.keys(INDEXES) as IndexedField[];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [KEY, ...fields].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [{ AttributeName: KEY, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: fields.map((field) => ({
        IndexName: INDEXES[field],
        KeySchema: [{ AttributeName: field, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    }),
  );
}

export function dynamoDbAdapter(documents: DynamoDbDocuments, tableName: string): AdapterConstructor {
  return class DynamoDbAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    // index values carry the model too, so two models never share an index entry
    private indexValue(value: unknown): string | undefined {
      return typeof value === 'string' ? `${this.model}:${value}` : undefined;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await documents.put({
        TableName: tableName,
        Item: {
          [KEY]: this.key(id),
          payload,
          expiresAt: expiresIn ? epoch() + expiresIn : undefined,
          uid: this.indexValue(payload.uid),
          userCode: this.indexValue(payload.userCode),
          grantId: this.indexValue(payload.grantId),
        },
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const { Item } = await documents.get({ TableName: tableName, Key: { [KEY]: this.key(id) }, ConsistentRead: true });
      const item = Item as unknown as StoredItem | undefined;
      // DynamoDB's TTL deletes late, so an expired item can still be read
      if (!item || (item.expiresAt !== undefined && item.expiresAt <= epoch())) return undefined;
      return item.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('userCode', userCode);
    }

    async consume(id: string): Promise<void> {
      await documents.update({
        TableName: tableName,
        Key: { [KEY]: this.key(id) },
        UpdateExpression: 'SET payload.consumed = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': epoch() },
      });
    }

    async destroy(id: string): Promise<void> {
      await documents.delete({ TableName: tableName, Key: { [KEY]: this.key(id) } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of await this.keysBy('grantId', grantId)) {
        await documents.delete({ TableName: tableName, Key: { [KEY]: key } });
      }
    }

    private async findBy(field: IndexedField, value: string): Promise<AdapterPayload | undefined> {
      const [key] = await this.keysBy(field, value);
      return key === undefined ? undefined : this.find(key.slice(this.model.length + 1));
    }

    private async keysBy(field: IndexedField, value: string): Promise<string[]> {
      const keys: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const output = await documents.client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEXES[field],
            KeyConditionExpression: '#field = :value',
            ExpressionAttributeNames: { '#field': field },
            ExpressionAttributeValues: marshall({ ':value': this.indexValue(value) }),
            ExclusiveStartKey: start && marshall(start),
          }),
        );
        for (const item of output.Items ?? []) keys.push(unmarshall(item)[KEY] as string);
        start = output.LastEvaluatedKey && unmarshall(output.LastEvaluatedKey);
      } while (start);
      return keys;
    }
  };
}
