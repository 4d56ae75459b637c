import { loadOnFirstUse } from '../load-on-first-use.js';
import type { ClientQuota } from '../policies/client-quota.js';
import type { DynamoDbDocuments } from '../store/dynamodb-documents.js';

/**
 * The counters of the client caps on the client table, their adapter loaded by the first place taken
 * or given back (lib/load-on-first-use.ts): only a service with caps configured ever counts, so no
 * cold start pays for it.
 */
export function clientQuotaOnFirstUse(documents: DynamoDbDocuments, tableName: string): ClientQuota {
  const quota = loadOnFirstUse(
    async () => new (await import('../store/dynamodb-client-quota.js')).DynamoDbClientQuota(documents, tableName),
  );
  return {
    take: async (counter) => (await quota()).take(counter),
    release: async (key) => (await quota()).release(key),
    releaseOnce: async (key, clientId) => (await quota()).releaseOnce(key, clientId),
  };
}
