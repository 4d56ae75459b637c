import { type ClientChange, type ClientRecord, type ClientStore, GuardFailedError, type WriteGuard } from '../registration/client.js';
import { DynamoDbDocuments, type DynamoDbDocumentsConfig } from './dynamodb-documents.js';
import { callDynamoDb, type TableLabels } from './dynamodb-errors.js';
import { ATTR, type ClientItem, toItem, toRecord } from './item.js';

export type DocumentClientConfig = DynamoDbDocumentsConfig;

/** One per container: its connections and resolved middleware are reused by every request. */
export function createDocumentClient(config: DocumentClientConfig = {}): DynamoDbDocuments {
  return new DynamoDbDocuments(config);
}

export class DynamoDbClientStore implements ClientStore {
  constructor(
    private readonly documents: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  async create(record: ClientRecord): Promise<void> {
    await call(() =>
      this.documents.put({
        TableName: this.tableName,
        Item: toItem(record) as unknown as Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': ATTR.clientId },
      }),
    );
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    const output = await call(() =>
      this.documents.get({ TableName: this.tableName, Key: { [ATTR.clientId]: clientId }, ConsistentRead: true }),
    );
    return output.Item ? toRecord(output.Item as unknown as ClientItem) : undefined;
  }

  async update(clientId: string, change: ClientChange, guard: WriteGuard): Promise<ClientRecord> {
    const expression = new ExpressionBuilder();
    const sets = [
      `${expression.name(ATTR.version)} = ${expression.name(ATTR.version)} + ${expression.value(1)}`,
      `${expression.name(ATTR.updatedAt)} = ${expression.value(change.updatedAt)}`,
    ];
    const removes: string[] = [];
    if (change.metadata !== undefined) sets.push(`${expression.name(ATTR.metadata)} = ${expression.value(change.metadata)}`);
    if (change.registrationTokenHash !== undefined) {
      sets.push(`${expression.name(ATTR.registrationTokenHash)} = ${expression.value(change.registrationTokenHash)}`);
    }
    const secret = change.secret;
    // names are registered only when used: DynamoDB refuses unused ExpressionAttributeNames
    const sealed = () => expression.name(ATTR.secretSealed);
    if (secret.kind === 'keep' && secret.dropSealed) removes.push(sealed());
    if (secret.kind === 'remove') removes.push(expression.name(ATTR.secretHash), sealed(), expression.name(ATTR.secretExpiresAt));
    if (secret.kind === 'replace') {
      sets.push(`${expression.name(ATTR.secretHash)} = ${expression.value(secret.hash)}`);
      sets.push(`${expression.name(ATTR.secretExpiresAt)} = ${expression.value(0)}`);
      if (secret.sealed !== undefined) sets.push(`${sealed()} = ${expression.value(secret.sealed)}`);
      else removes.push(sealed());
    }
    const output = await guarded(() =>
      this.documents.update({
        TableName: this.tableName,
        Key: { [ATTR.clientId]: clientId },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: guardCondition(expression, guard),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toRecord(output.Attributes as unknown as ClientItem);
  }

  async delete(clientId: string, guard: WriteGuard): Promise<ClientRecord> {
    const expression = new ExpressionBuilder();
    // ALL_OLD costs nothing extra and tells which cap counters the client held
    const output = await guarded(() =>
      this.documents.delete({
        TableName: this.tableName,
        Key: { [ATTR.clientId]: clientId },
        ConditionExpression: guardCondition(expression, guard),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    return toRecord(output.Attributes as unknown as ClientItem);
  }
}

/** Sends one request; a failed condition becomes GuardFailedError, outages a 503 (see translate). */
async function guarded<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await call(send);
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new GuardFailedError();
    throw error;
  }
}

/** Sends one request; outages become a 503 and anything unknown a 500 (see translate). Shared by the adapters of this table. */
const CLIENT_TABLE: TableLabels = {
  store: 'the client datastore',
  missing: 'the client datastore table does not exist (check DCR_TABLE_NAME)',
};

/** Sends one request to the client table (the cap counters live there too). */
export function call<T>(send: () => Promise<T>): Promise<T> {
  return callDynamoDb(send, CLIENT_TABLE);
}

function guardCondition(expression: ExpressionBuilder, guard: WriteGuard): string {
  const parts = [
    `attribute_exists(${expression.name(ATTR.clientId)})`,
    `${expression.name(ATTR.registrationTokenHash)} = ${expression.value(guard.registrationTokenHash)}`,
  ];
  if (guard.secretHash !== undefined) parts.push(`${expression.name(ATTR.secretHash)} = ${expression.value(guard.secretHash)}`);
  if (guard.secret !== undefined) {
    parts.push(`${guard.secret.hasSecret ? 'attribute_exists' : 'attribute_not_exists'}(${expression.name(ATTR.secretHash)})`);
    parts.push(`${guard.secret.recoverable ? 'attribute_exists' : 'attribute_not_exists'}(${expression.name(ATTR.secretSealed)})`);
  }
  if (guard.version !== undefined) parts.push(`${expression.name(ATTR.version)} = ${expression.value(guard.version)}`);
  return parts.join(' AND ');
}

/** Placeholders for expression names and values, so no attribute name ever collides with a reserved word. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}
