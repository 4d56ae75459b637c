import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  InitialAccessTokenLedger,
  InitialAccessTokenRegister,
  InitialAccessTokenSummary,
  RevokeOutcome,
  StoredInitialAccessToken,
} from '../tokens/initial-access-token-store.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { callDynamoDb, isConditionFailed } from './dynamodb-errors.js';
import { ensureTable } from './ensure-table.js';

// Item layout of the initial access token table (its own table, key `token_id`). Snake_case like the
// client table. `purge_at` is the table's TTL attribute: DynamoDB deletes a token 30 days after it
// expired, so `iat list` still shows recently expired ones and the table does not grow for ever.
export const IAT_ATTR = {
  id: 'token_id',
  secretHash: 'secret_hash',
  subject: 'subject',
  scope: 'scope',
  policies: 'policies',
  description: 'description',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  uses: 'uses',
  usesLeft: 'uses_left',
  revokedAt: 'revoked_at',
  lastUsedAt: 'last_used_at',
  purgeAt: 'purge_at',
} as const;

const PURGE_AFTER_EXPIRY_SECONDS = 30 * 86_400;

interface InitialAccessTokenItem {
  token_id: string;
  secret_hash: string;
  subject: string;
  /** Space-separated, like an OAuth `scope`. */
  scope: string;
  policies?: string[];
  description?: string;
  created_at: number;
  expires_at: number;
  uses: number;
  uses_left: number;
  revoked_at?: number;
  last_used_at?: number;
  purge_at: number;
}

/**
 * Initial access tokens of this service in DynamoDB, as registration uses them: one GetItem (verify)
 * and one conditional UpdateItem (consume). The register function's bundle carries only this part.
 */
export class DynamoDbInitialAccessTokenLedger implements InitialAccessTokenLedger {
  constructor(
    protected readonly documents: DynamoDbDocuments,
    protected readonly tableName: string,
  ) {}

  async find(id: string): Promise<StoredInitialAccessToken | undefined> {
    const output = await this.call(() =>
      this.documents.get({ TableName: this.tableName, Key: { [IAT_ATTR.id]: id }, ConsistentRead: true }),
    );
    if (!output.Item) return undefined;
    const item = output.Item as unknown as InitialAccessTokenItem;
    return { ...toSummary(item), secretHash: item.secret_hash };
  }

  async consume(id: string, secretHash: string, nowSeconds: number): Promise<boolean> {
    try {
      await this.call(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [IAT_ATTR.id]: id },
          UpdateExpression: 'ADD #uses_left :minus1 SET #last_used_at = :now',
          ConditionExpression: '#uses_left > :zero AND #expires_at > :now AND attribute_not_exists(#revoked_at) AND #secret_hash = :h',
          ExpressionAttributeNames: {
            '#uses_left': IAT_ATTR.usesLeft,
            '#last_used_at': IAT_ATTR.lastUsedAt,
            '#expires_at': IAT_ATTR.expiresAt,
            '#revoked_at': IAT_ATTR.revokedAt,
            '#secret_hash': IAT_ATTR.secretHash,
          },
          ExpressionAttributeValues: { ':minus1': -1, ':zero': 0, ':now': nowSeconds, ':h': secretHash },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async restore(id: string): Promise<void> {
    try {
      await this.call(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [IAT_ATTR.id]: id },
          UpdateExpression: 'ADD #uses_left :one',
          // never create a bare item for a token that was deleted meanwhile
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#uses_left': IAT_ATTR.usesLeft, '#id': IAT_ATTR.id },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** Outages become 503 temporarily_unavailable; a failed condition passes through for the caller. */
  protected call<T>(send: () => Promise<T>): Promise<T> {
    return callDynamoDb(send, {
      store: 'the initial access token store',
      missing: `the initial access token table ${this.tableName} does not exist (check DCR_IAT_TABLE_NAME)`,
    });
  }
}

/** The same table as the admin tool manages it: issuing, listing (a Scan) and revoking tokens. */
export class DynamoDbInitialAccessTokenStore extends DynamoDbInitialAccessTokenLedger implements InitialAccessTokenRegister {
  async create(token: StoredInitialAccessToken): Promise<void> {
    await this.call(() =>
      this.documents.put({
        TableName: this.tableName,
        Item: toItem(token) as unknown as Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': IAT_ATTR.id },
      }),
    );
  }

  async list(): Promise<InitialAccessTokenSummary[]> {
    // listing never reads the secret hash: it is not even fetched
    const attributes = Object.values(IAT_ATTR).filter((name) => name !== IAT_ATTR.secretHash);
    const names = Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
    const summaries: InitialAccessTokenSummary[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call(() =>
        this.documents.scan({
          TableName: this.tableName,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      summaries.push(...(page.Items ?? []).map((item) => toSummary(item as unknown as InitialAccessTokenItem)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return summaries.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  async revoke(id: string, nowSeconds: number): Promise<RevokeOutcome> {
    try {
      await this.call(() =>
        this.documents.update({
          TableName: this.tableName,
          Key: { [IAT_ATTR.id]: id },
          UpdateExpression: 'SET #revoked_at = :now',
          ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#revoked_at)',
          ExpressionAttributeNames: { '#revoked_at': IAT_ATTR.revokedAt, '#id': IAT_ATTR.id },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return 'revoked';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.find(id)) ? 'already-revoked' : 'not-found';
    }
  }
}

function toItem(token: StoredInitialAccessToken): InitialAccessTokenItem {
  return {
    token_id: token.id,
    secret_hash: token.secretHash,
    subject: token.subject,
    scope: token.scopes.join(' '),
    ...(token.policies.length > 0 && { policies: [...token.policies] }),
    ...(token.description !== undefined && { description: token.description }),
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    uses: token.uses,
    uses_left: token.usesLeft,
    ...(token.revokedAt !== undefined && { revoked_at: token.revokedAt }),
    ...(token.lastUsedAt !== undefined && { last_used_at: token.lastUsedAt }),
    purge_at: token.expiresAt + PURGE_AFTER_EXPIRY_SECONDS,
  };
}

function toSummary(item: InitialAccessTokenItem): InitialAccessTokenSummary {
  return {
    id: item.token_id,
    subject: item.subject,
    scopes: item.scope.split(' ').filter(Boolean),
    policies: item.policies ?? [],
    description: item.description,
    createdAt: item.created_at,
    expiresAt: item.expires_at,
    uses: item.uses,
    usesLeft: item.uses_left,
    revokedAt: item.revoked_at,
    lastUsedAt: item.last_used_at,
  };
}

/**
 * Creates the initial access token table when it is missing (local mode, tests). In AWS the
 * stateful stack owns it, with `purge_at` as its TTL attribute.
 */
export function ensureInitialAccessTokenTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  return ensureTable(client, tableName, IAT_ATTR.id);
}
