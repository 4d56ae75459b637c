import { serverError, temporarilyUnavailable } from '../errors.js';

// How DynamoDB failures reach the caller, for every table of the service: throttling and outages are a
// 503 to retry, a missing table a 503 that names its variable, a failed condition passes through to
// the adapter (it means something), and anything else is a 500 with the cause kept for the log.

const UNAVAILABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export interface TableLabels {
  /** e.g. "the client datastore" */
  readonly store: string;
  /** e.g. "the client datastore table does not exist (check DCR_TABLE_NAME)" */
  readonly missing: string;
}

/** A write its ConditionExpression refused: each adapter gives it its meaning (taken, gone, changed meanwhile). */
export function isConditionFailed(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

export function translateDynamoDbError(error: unknown, labels: TableLabels): unknown {
  const name = (error as Error)?.name;
  const code = (error as { code?: string })?.code;
  if (isConditionFailed(error)) return error;
  if (UNAVAILABLE.has(name) || (code !== undefined && NETWORK.has(code))) {
    return temporarilyUnavailable(`${labels.store} is busy or unavailable; retry shortly`, 1, { cause: error });
  }
  if (name === 'ResourceNotFoundException') return temporarilyUnavailable(labels.missing, 30, { cause: error });
  return serverError({ cause: error });
}

/** Sends one request, translating its failure (see translateDynamoDbError). */
export async function callDynamoDb<T>(send: () => Promise<T>, labels: TableLabels): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateDynamoDbError(error, labels);
  }
}
