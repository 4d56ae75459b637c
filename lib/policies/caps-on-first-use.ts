import { loadOnFirstUse } from '../load-on-first-use.js';

/**
 * caps.ts, loaded by the first registration while registration policies are configured (the caps
 * are part of them) or by the first delete of a client that holds places: a service without caps
 * never counts, so no cold start pays for it (lib/load-on-first-use.ts).
 */
export const capsOnFirstUse = loadOnFirstUse(() => import('./caps.js'));
