import { SsmReader } from '../settings/ssm-reader.js';
import type { DynamoDbDocuments } from '../store/dynamodb-documents.js';

/**
 * The container's SSM reader, on its DynamoDB client's resolved pieces: credentials (one refresh for
 * both), hash, HTTP handler with its per-attempt timeouts and connection pool, region, FIPS and
 * dual-stack settings. So reading SSM adds no AWS client of its own to a route's bundle.
 */
export function ssmReaderOf(documents: DynamoDbDocuments): SsmReader {
  return new SsmReader({ aws: documents.client.config });
}
