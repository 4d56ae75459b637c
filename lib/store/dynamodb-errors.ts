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
  // a call aborted at its deadline (lib/time-budget.ts)
  'AbortError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** A throttled or timed-out DynamoDB attempt, for the DatastoreThrottles and DatastoreTimeouts metrics. */
export function troubleOf(error: unknown): 'DatastoreThrottles' | 'DatastoreTimeouts' | undefined {
  const name = (error as Error)?.name;
  if (THROTTLES.has(name)) return 'DatastoreThrottles';
  if (TIMEOUTS.has(name) || (error as { code?: string })?.code === 'ETIMEDOUT') return 'DatastoreTimeouts';
  return undefined;
}

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

// Failures after which a write may have been carried out all the same: no answer in time, the
// connection lost after sending, or a server error (DynamoDB does not say whether it applied the write).
const OUTCOME_UNKNOWN = new Set(['TimeoutError', 'RequestTimeout', 'AbortError', 'InternalServerError', 'ServiceUnavailable']);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether a failed write may have been carried out. Also after any SDK retry: the attempt before
 * may have landed, and the retry then fails on its own condition (or meets a throttle) instead.
 */
export function writeOutcomeUnknown(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
  const code = (error as { code?: string })?.code;
  return (attempts ?? 1) > 1 || OUTCOME_UNKNOWN.has((error as Error)?.name) || (code !== undefined && CONNECTION_LOST.has(code));
}

/** A 503 for a write that, read back, was found not carried out: nothing changed, and a retry is safe. */
export function writeNotCarriedOut(labels: TableLabels, cause: unknown): Error {
  return temporarilyUnavailable(`${labels.store} did not carry out the change in time; nothing was changed; retry shortly`, 1, { cause });
}

/** Sends one request, translating its failure (see translateDynamoDbError). */
export async function callDynamoDb<T>(send: () => Promise<T>, labels: TableLabels): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateDynamoDbError(error, labels);
  }
}
