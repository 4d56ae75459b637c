import { loadOnFirstUse } from '../load-on-first-use.js';
import { log } from '../log.js';
import type { ClientQuota } from './client-quota.js';

/**
 * caps.ts, loaded by the first registration while registration policies are configured (the caps
 * are part of them) or by the first delete of a client that holds places: a service without caps
 * never counts, so no cold start pays for it (lib/load-on-first-use.ts).
 */
export const capsOnFirstUse = loadOnFirstUse(() => import('./caps.js'));

/** The one log line of a place that could not be given back (its counter stays one too high). */
export function logPlaceNotGivenBack(counter: string, error: unknown): void {
  log('error', 'a client cap place could not be given back', { counter, error: (error as Error).name, reason: (error as Error).message });
}

/**
 * Gives a deleted client's places back, loading caps.ts first. The client is gone whatever happens
 * here, so nothing throws: a caps module that does not load is logged for each place, like a counter
 * write that fails.
 */
export async function givePlacesBackOnFirstUse(quota: ClientQuota | undefined, counters: readonly string[]): Promise<void> {
  let caps: Awaited<ReturnType<typeof capsOnFirstUse>>;
  try {
    caps = await capsOnFirstUse();
  } catch (error) {
    for (const counter of counters) logPlaceNotGivenBack(counter, error);
    return;
  }
  await caps.givePlacesBack(quota, counters);
}
