// The ports the client directory runs on besides the ClientStore (lib/registration/client.ts); the
// DynamoDB adapters live in lib/store and lib/client-directory.ts wires them.

/**
 * Single use of client assertion `jti`s (RFC 7523 §3 item 7): `claim` records the key until
 * `expiresAt` (seconds since the epoch) and answers false when it is already recorded and not yet
 * expired. One conditional write; never a read-then-write, so two racing uses have one winner.
 */
export interface AssertionReplayStore {
  claim(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * Idle expiry's "use" (the client lifecycle): called after every successful authentication of a
 * registered client, so a client that keeps authenticating is not expired as idle. The default
 * (lib/runtime/directory.ts) is recordClientUse of lib/registration/lifecycle.ts: at most one
 * conditional write per tenth of Client Idle Lifetime, and no request at all while the stored expiry
 * is recent or the setting is off. A failure is logged
 * and never fails the authentication.
 */
export interface ClientUseRecorder {
  /** `client`: the client as just read (its id and stored idle expiry, so a recent expiry costs no request). */
  recordUse(client: { readonly clientId: string; readonly idleExpiresAt?: number }, nowSeconds: number): Promise<void>;
}
