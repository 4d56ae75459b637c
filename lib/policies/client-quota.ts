import { createHash } from 'node:crypto';

// The ClientQuota port: counters that cap how many clients exist, one atomic conditional write each.
// They live in the client table under keys that can never be a client id (ids are 24 base64url
// characters; these start with '#').

export const QUOTA_KEY_PREFIX = '#quota#';
export const TOTAL_COUNTER_KEY = `${QUOTA_KEY_PREFIX}total`;
// A DynamoDB partition key holds at most 2048 bytes: longer subjects are counted under their hash.
const MAX_PLAIN_SUBJECT_BYTES = 1_024;

/** The counter of clients registered with initial access tokens of one subject. */
export function subjectCounterKey(subject: string): string {
  if (Buffer.byteLength(subject, 'utf8') <= MAX_PLAIN_SUBJECT_BYTES) return `${QUOTA_KEY_PREFIX}sub#${subject}`;
  return `${QUOTA_KEY_PREFIX}sub-sha256#${createHash('sha256').update(subject, 'utf8').digest('base64url')}`;
}

export interface QuotaCounter {
  readonly key: string;
  /** The most clients the counter may hold. */
  readonly max: number;
}

export interface ClientQuota {
  /** Adds one if the counter is below its max, in one conditional write; false (nothing written) when it is full. */
  take(counter: QuotaCounter): Promise<boolean>;
  /** Takes one off, never going below zero. */
  release(key: string): Promise<void>;
  /**
   * Takes one off for this client, once: a repeat (a replayed stream record of its expiry) changes
   * nothing. A failure between the marker and the counter leaves the counter one too high, never too low.
   */
  releaseOnce(key: string, clientId: string): Promise<void>;
}
