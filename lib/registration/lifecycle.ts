import type { Settings } from '../settings/catalog.js';
import type { ClientRecord, ClientStore, IdleRefresh } from './client.js';

// The lifecycle settings turned into the times a write stores (docs/lifecycle.md). Seconds since the
// epoch throughout; a setting of 0 means "off" and yields nothing to store.

/**
 * Use refreshes the idle expiry only once the stored one is older than this fraction of the lifetime:
 * a client used every second costs one write per tenth of the lifetime, not one per use.
 */
export const IDLE_REFRESH_FRACTION = 0.1;

export function toSeconds(millis: number): number {
  return Math.floor(millis / 1000);
}

/** The idle expiry a write made now stores; undefined when Client Idle Lifetime is off. */
export function idleExpiry(settings: Settings, nowSeconds: number): number | undefined {
  return settings.clientIdleLifetimeSeconds > 0 ? nowSeconds + settings.clientIdleLifetimeSeconds : undefined;
}

/** The refresh a use made now asks for; undefined when Client Idle Lifetime is off. */
export function idleRefresh(settings: Settings, nowSeconds: number): IdleRefresh | undefined {
  const expiresAt = idleExpiry(settings, nowSeconds);
  if (expiresAt === undefined) return undefined;
  return { expiresAt, refreshBefore: expiresAt - Math.max(1, Math.floor(settings.clientIdleLifetimeSeconds * IDLE_REFRESH_FRACTION)) };
}

/**
 * Records a use of a client just read (the client directory calls this after a successful
 * authentication; a management read without rotation too): no request while the stored expiry is
 * recent, else one conditional UpdateItem. False when nothing was written.
 */
export async function recordClientUse(
  store: ClientStore,
  settings: Settings,
  client: Pick<ClientRecord, 'clientId' | 'idleExpiresAt'>,
  nowMillis: number,
): Promise<boolean> {
  const refresh = idleRefresh(settings, toSeconds(nowMillis));
  if (refresh === undefined || (client.idleExpiresAt !== undefined && client.idleExpiresAt >= refresh.refreshBefore)) return false;
  return store.recordUse(client.clientId, refresh);
}

/** client_secret_expires_at of a secret issued now (RFC 7591 §3.2.1: 0 = never). */
export function secretExpiry(settings: Settings, nowSeconds: number): number {
  return settings.clientSecretLifetimeSeconds > 0 ? nowSeconds + settings.clientSecretLifetimeSeconds : 0;
}
