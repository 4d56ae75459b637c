// Client caps at run time: the counters a registration takes a place in, and giving places back.
// Their configuration schema is in caps-schema.ts (a delete needs only this file).

import { accessDenied, invalidToken, temporarilyUnavailable } from '../errors.js';
import type { VerifiedAccessToken } from '../tokens/initial-access-token.js';
import { logPlaceNotGivenBack } from './caps-on-first-use.js';
import type { Caps } from './caps-schema.js';
import { type ClientQuota, type QuotaCounter, subjectCounterKey, TOTAL_COUNTER_KEY } from './client-quota.js';

/**
 * The counters a registration takes a place in. Anonymous registrations count only towards the
 * total. A per-subject cap needs to know the subject: a token without one is refused rather than
 * left uncounted.
 */
export function countersFor(caps: Caps, caller: VerifiedAccessToken | undefined): QuotaCounter[] {
  const counters: QuotaCounter[] = [];
  if (caps.per_subject !== undefined && caller) {
    if (!caller.subject) throw invalidToken('the initial access token has no sub claim, which the per-subject client cap needs');
    counters.push({ key: subjectCounterKey(caller.subject), max: caps.per_subject });
  }
  if (caps.total !== undefined) counters.push({ key: TOTAL_COUNTER_KEY, max: caps.total });
  return counters;
}

/**
 * Takes a place in every counter, or in none: without transactions, the places already taken are
 * given back when a later counter is full. The subject's counter goes first, so a caller at its own
 * limit never touches the shared total.
 */
export async function takePlaces(quota: ClientQuota | undefined, counters: readonly QuotaCounter[]): Promise<void> {
  if (counters.length === 0) return;
  if (!quota) throw temporarilyUnavailable('client caps are configured, but no counter store is', 300);
  const taken: string[] = [];
  for (const counter of counters) {
    let took: boolean;
    try {
      took = await quota.take(counter);
    } catch (error) {
      await givePlacesBack(quota, taken);
      throw error;
    }
    if (!took) {
      await givePlacesBack(quota, taken);
      throw accessDenied(
        counter.key === TOTAL_COUNTER_KEY
          ? `this server holds its maximum number of dynamically registered clients (${counter.max})`
          : `the subject of this initial access token has registered its maximum number of clients (${counter.max})`,
      );
    }
    taken.push(counter.key);
  }
}

/** Gives places back; a failure leaves the counter one too high, which is logged, not hidden (an operator can correct it). */
export async function givePlacesBack(quota: ClientQuota | undefined, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    try {
      if (!quota) throw new Error('no counter store is configured');
      await quota.release(key);
    } catch (error) {
      logPlaceNotGivenBack(key, error);
    }
  }
}
