import type { AssertionReplayStore } from '../directory/ports.js';
import { hashSecret } from '../tokens/secrets.js';
import { call } from './dynamodb-client-store.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { ATTR } from './item.js';

/** Key prefix of jti records: '#' is never in a client_id this service issues, and a metadata document's is an https URL. */
export const JTI_KEY_PREFIX = '#jti#';

/**
 * jti records in the client table: `{client_id: "#jti#<sha256 of client_id and jti>", idle_expires_at: exp}` (idle_expires_at is the table's one TTL attribute).
 * Claiming is one PutItem conditioned on the key being absent or its record expired (TTL deletes
 * lazily, so an expired record may still be there), so of two racing uses exactly one wins.
 */
export class DynamoDbAssertionReplayStore implements AssertionReplayStore {
  constructor(
    private readonly documents: DynamoDbDocuments,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, expiresAt: number): Promise<boolean> {
    try {
      await call(() =>
        this.documents.put({
          TableName: this.tableName,
          Item: { [ATTR.clientId]: `${JTI_KEY_PREFIX}${hashSecret(key)}`, [ATTR.idleExpiresAt]: expiresAt },
          ConditionExpression: 'attribute_not_exists(#id) OR #purge < :now',
          ExpressionAttributeNames: { '#id': ATTR.clientId, '#purge': ATTR.idleExpiresAt },
          ExpressionAttributeValues: { ':now': Math.floor(this.now() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
