import { type ClientRecord, isIdleExpired } from '../registration/client.js';
import { call, DynamoDbClientStore, ExpressionBuilder } from './dynamodb-client-store.js';
import { ATTR, type ClientItem, toRecord } from './item.js';

/**
 * The client table as the admin tool reads it (`npm run admin -- clients list`): the store of the
 * request paths plus a listing, which no function runs, so their bundles do not carry it.
 */
export class DynamoDbClientAdminStore extends DynamoDbClientStore {
  /**
   * The admin tool's listing: a Scan (never on a request path), filtered to clients (not cap counters
   * or other items of the table), by registering subject and software_id when asked, without clients
   * past their idle expiry. `next` continues after the last client of the previous page.
   */
  async list(query: ClientListQuery): Promise<ClientListPage> {
    const expression = new ExpressionBuilder();
    const filters = [
      `attribute_exists(${expression.name(ATTR.version)})`,
      `attribute_exists(${expression.name(ATTR.issuedAt)})`,
      `NOT begins_with(${expression.name(ATTR.clientId)}, ${expression.value('#')})`,
    ];
    if (query.registeredBy !== undefined) filters.push(`${expression.name(ATTR.registeredBy)} = ${expression.value(query.registeredBy)}`);
    if (query.softwareId !== undefined) {
      filters.push(`${expression.name(ATTR.metadata)}.${expression.name('software_id')} = ${expression.value(query.softwareId)}`);
    }
    const now = this.nowSeconds();
    const records: ClientRecord[] = [];
    let start: Record<string, unknown> | undefined = query.next === undefined ? undefined : { [ATTR.clientId]: query.next };
    do {
      const page = await call(() =>
        this.documents.scan({
          TableName: this.tableName,
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ExclusiveStartKey: start,
          Limit: query.limit,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items) {
        const record = toRecord(item as unknown as ClientItem);
        if (!isIdleExpired(record, now)) records.push(record);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined && records.length < query.limit);
    const shown = records.slice(0, query.limit);
    const more = records.length > query.limit || start !== undefined;
    return { clients: shown, next: more && shown.length ? shown[shown.length - 1]!.clientId : undefined };
  }
}

export interface ClientListQuery {
  readonly limit: number;
  /** The client id the previous page ended with. */
  readonly next?: string;
  readonly registeredBy?: string;
  readonly softwareId?: string;
}

export interface ClientListPage {
  readonly clients: ClientRecord[];
  /** Pass as `next` for the following page; absent on the last page. */
  readonly next?: string;
}
