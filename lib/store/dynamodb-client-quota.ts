import type { ClientQuota, QuotaCounter } from '../policies/client-quota.js';
import { call } from './dynamodb-client-store.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { isConditionFailed } from './dynamodb-errors.js';
import { ATTR } from './item.js';

/** Attribute of a counter item holding how many clients it counts. */
export const QUOTA_COUNT_ATTRIBUTE = 'client_count';

/**
 * Counter items in the client table: `{client_id: "#quota#total", client_count: 17}`. Taking is one
 * UpdateItem `ADD client_count 1` conditioned on `client_count < max`, so of parallel registrations
 * racing for the last place exactly one wins, and nothing is ever scanned.
 */
/** Marker items of releaseOnce: `#quota-released#<client_id>#<counter key>`. */
export const RELEASE_MARKER_PREFIX = '#quota-released#';
const RELEASE_MARKER_SECONDS = 7 * 86_400;

export class DynamoDbClientQuota implements ClientQuota {
  constructor(
    private readonly documents: DynamoDbDocuments,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async take(counter: QuotaCounter): Promise<boolean> {
    try {
      await call(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [ATTR.clientId]: counter.key },
          UpdateExpression: 'ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': QUOTA_COUNT_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':max': counter.max },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async releaseOnce(key: string, clientId: string): Promise<void> {
    try {
      await call(() =>
        this.documents.put({
          TableName: this.tableName,
          Item: {
            [ATTR.clientId]: `${RELEASE_MARKER_PREFIX}${clientId}#${key}`,
            // the table's TTL removes the marker once no stream record can be replayed any more (24 hours)
            [ATTR.idleExpiresAt]: Math.floor(this.now() / 1000) + RELEASE_MARKER_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': ATTR.clientId },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return;
      throw error;
    }
    await this.release(key);
  }

  async release(key: string): Promise<void> {
    try {
      await call(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [ATTR.clientId]: key },
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': QUOTA_COUNT_ATTRIBUTE },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      // already at zero (an operator reset it): nothing to give back
      if (!isConditionFailed(error)) throw error;
    }
  }
}
