import type { CachedMetadataDocument, MetadataDocumentCache } from '../directory/metadata-documents.js';
import { call } from './dynamodb-client-store.js';
import type { DynamoDbDocuments } from './dynamodb-documents.js';
import { ATTR } from './item.js';

/** Key prefix of cached metadata documents: '#' is never in a client_id this service issues. */
export const METADATA_DOCUMENT_KEY_PREFIX = '#cimd#';

interface DocumentItem {
  metadata: CachedMetadataDocument['metadata'];
  fetched_at: number;
  fresh_until: number;
  stale_until: number;
}

/**
 * Validated Client ID Metadata Documents in the client table:
 * `{client_id: "#cimd#<url>", metadata, fetched_at, fresh_until, stale_until, idle_expires_at}`; the
 * table's TTL removes the item once even its stale copy may no longer be served.
 */
export class DynamoDbMetadataDocumentCache implements MetadataDocumentCache {
  constructor(
    private readonly documents: DynamoDbDocuments,
    private readonly tableName: string,
  ) {}

  async get(url: string): Promise<CachedMetadataDocument | undefined> {
    // eventually consistent: a copy a second old is as good as the one just written
    const output = await call(() =>
      this.documents.get({ TableName: this.tableName, Key: { [ATTR.clientId]: `${METADATA_DOCUMENT_KEY_PREFIX}${url}` } }),
    );
    const item = output.Item as unknown as DocumentItem | undefined;
    if (!item?.metadata) return undefined;
    return { metadata: item.metadata, fetchedAt: item.fetched_at, freshUntil: item.fresh_until, staleUntil: item.stale_until };
  }

  async put(url: string, document: CachedMetadataDocument): Promise<void> {
    await call(() =>
      this.documents.put({
        TableName: this.tableName,
        Item: {
          [ATTR.clientId]: `${METADATA_DOCUMENT_KEY_PREFIX}${url}`,
          metadata: document.metadata,
          fetched_at: document.fetchedAt,
          fresh_until: document.freshUntil,
          stale_until: document.staleUntil,
          [ATTR.idleExpiresAt]: document.staleUntil,
        },
      }),
    );
  }
}
