import type { ClientMetadata } from '../metadata/client-metadata.js';
import type { SecretState } from '../metadata/client-secret.js';

// The client model the use cases own, and the ClientStore port: what they need from a datastore, one
// round trip per method. lib/store holds the DynamoDB adapter.

export interface ClientRecord {
  readonly clientId: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  /** Registered metadata with defaults: exactly what the client information echoes. */
  readonly metadata: ClientMetadata;
  readonly secretHash?: string;
  /** The secret itself, encrypted (SecretSealer), for clients that need it recoverable. */
  readonly secretSealed?: string;
  /** 0 = never expires. Present exactly when secretHash is. */
  readonly secretExpiresAt?: number;
  readonly registrationTokenHash?: string;
  readonly version: number;
  /** Seconds since the epoch. */
  readonly updatedAt: number;
  /** Registration policy lists the client was registered under (lib/policies): PUT applies them again. */
  readonly policyLists?: readonly string[];
  /** Subject of the initial access token that registered the client. */
  readonly registeredBy?: string;
  /** Keys of the cap counters holding one place for this client (lib/policies/client-quota.ts): DELETE gives them back. */
  readonly quotaCounters?: readonly string[];

  // Lifecycle (docs/lifecycle.md). Times are seconds since the epoch; a "valid until" is exclusive.

  /** The secret a rotation replaced, still accepted for client authentication (Client Secret Retention). */
  readonly previousSecretHash?: string;
  /** Until when previousSecretHash authenticates. */
  readonly previousSecretValidUntil?: number;
  /** The replaced secret's own client_secret_expires_at (0 = never): retention never outlives it. */
  readonly previousSecretExpiresAt?: number;
  /**
   * The registration access token a rotation replaced (Registration Access Token Grace). It recovers
   * the answer of that rotation until the current token is first used (which removes it) or the
   * grace ends. Only management calls accept it, never client authentication.
   */
  readonly previousRegistrationTokenHash?: string;
  readonly previousRegistrationTokenValidUntil?: number;
  /**
   * The credentials the last rotation issued (token, and secret when one was issued), encrypted with a
   * key derived from previousRegistrationTokenHash's token (lib/tokens/held-credentials.ts): only its
   * holder can open them, so a lost answer can be given again, identically.
   */
  readonly pendingCredentials?: string;
  /** Set by an operator (npm run admin -- clients disable): the client cannot authenticate nor be managed. */
  readonly disabled?: boolean;
  /**
   * Idle expiry (Client Idle Lifetime): DynamoDB's TTL deletes the item after this time, and every read
   * treats it as gone from this time on. Refreshed by use (management calls, authentication through the
   * client directory). Absent: never expires.
   */
  readonly idleExpiresAt?: number;
  /** The request that made the latest write: the lifecycle events name it. */
  readonly lastRequestId?: string;
}

/** Whether the client is past its idle expiry (DynamoDB may not have swept it yet): it is then gone. */
export function isIdleExpired(record: Pick<ClientRecord, 'idleExpiresAt'>, nowSeconds: number): boolean {
  return record.idleExpiresAt !== undefined && record.idleExpiresAt <= nowSeconds;
}

/** Whether a client_secret_expires_at (0 = never) has passed. */
export function isSecretExpired(expiresAt: number | undefined, nowSeconds: number): boolean {
  return expiresAt !== undefined && expiresAt !== 0 && expiresAt <= nowSeconds;
}

/**
 * The hashes of the secrets that authenticate the client now: the current one unless it expired, and
 * the retained previous one within its retention (and its own expiry). Empty for a disabled client.
 * The client directory compares a presented secret against each, in constant time.
 */
export function acceptedSecretHashes(record: ClientRecord, nowSeconds: number): string[] {
  if (record.disabled || isIdleExpired(record, nowSeconds)) return [];
  const hashes: string[] = [];
  if (record.secretHash !== undefined && !isSecretExpired(record.secretExpiresAt, nowSeconds)) hashes.push(record.secretHash);
  if (
    record.previousSecretHash !== undefined &&
    record.previousSecretValidUntil !== undefined &&
    nowSeconds < record.previousSecretValidUntil &&
    !isSecretExpired(record.previousSecretExpiresAt, nowSeconds)
  ) {
    hashes.push(record.previousSecretHash);
  }
  return hashes;
}

/** How an update treats the stored secret (its hash and, for recoverable secrets, its sealed copy). */
export type SecretChange =
  | { readonly kind: 'keep'; readonly dropSealed?: boolean }
  /** No secret any more; a retained previous one goes too. */
  | { readonly kind: 'remove' }
  /**
   * A new secret: its hash, and its sealed copy when it must stay recoverable (else any old copy goes).
   * `retainUntil`: the stored secret becomes the previous one, accepted until then (the write's guard
   * must say the item has a secret); absent: any previous secret goes.
   */
  | {
      readonly kind: 'replace';
      readonly hash: string;
      readonly sealed?: string;
      /** client_secret_expires_at of the new secret (0 = never). */
      readonly expiresAt?: number;
      readonly retainUntil?: number;
    };

/** What a write does to the previous registration access token (absent: leaves it as it is). */
export type PreviousTokenChange =
  | { readonly kind: 'set'; readonly hash: string; readonly validUntil: number; readonly pendingCredentials: string }
  /** Keeps the previous token and its grace, with new pending credentials (an answer recovered with it). */
  | { readonly kind: 'pending'; readonly pendingCredentials: string }
  | { readonly kind: 'remove' };

export interface ClientChange {
  readonly metadata?: ClientMetadata;
  readonly secret: SecretChange;
  readonly registrationTokenHash?: string;
  readonly previousToken?: PreviousTokenChange;
  /** A new idle expiry (absent: unchanged). */
  readonly idleExpiresAt?: number;
  /** Disable (true) or enable (false) the client (absent: unchanged). */
  readonly disabled?: boolean;
  /** The request making the change, for the lifecycle events. */
  readonly requestId?: string;
  readonly updatedAt: number;
}

/** Conditions a write is guarded by; all must hold on the stored item. A client past its idle expiry never matches. */
export interface WriteGuard {
  /**
   * The stored registration access token hash must equal this, and the client must not be disabled;
   * 'operator' (the admin tool) skips both checks.
   */
  readonly registrationTokenHash: string | 'operator';
  /** The stored secret hash must equal this (PUT that carries client_secret). */
  readonly secretHash?: string;
  /** The item holds this kind of secret. */
  readonly secret?: SecretState;
  /** The stored secret has not expired (a write that keeps it; the fallback read replaces an expired one). */
  readonly secretUnexpired?: boolean;
  /** The item is at this version (the read-then-write path). */
  readonly version?: number;
}

/** A guarded write found the item missing or its guard false. Nothing was written. */
export class GuardFailedError extends Error {
  constructor() {
    super('the stored client does not match the write guard');
    this.name = 'GuardFailedError';
  }
}

/** An idle expiry refresh: write `expiresAt` only if the stored expiry is before `refreshBefore` (and not past). */
export interface IdleRefresh {
  readonly expiresAt: number;
  readonly refreshBefore: number;
}

/** An update of a stored client: the item before it (what changed is told from the two) and after it. */
export interface ClientWrite {
  /** Absent when the write's answer was lost and the item was read back: only the result is known. */
  readonly previous?: ClientRecord;
  readonly record: ClientRecord;
}

export interface ClientStore {
  // Writes answer the truth: when a write's answer is lost (timeout, dropped connection), the adapter
  // reads the item back and reports whether the write landed; it throws a 503 only when it did not.

  /** Stores a new client; fails if the id exists. */
  create(record: ClientRecord): Promise<void>;
  /** Strongly consistent read; a client past its idle expiry is not found. */
  find(clientId: string): Promise<ClientRecord | undefined>;
  /**
   * Records a use for idle expiry: one conditional UpdateItem that writes only when the stored expiry
   * is older than the refresh point, so a busy client costs a write once per refresh interval. True
   * when it wrote; false when no write was due, or the client is gone or disabled.
   */
  recordUse(clientId: string, refresh: IdleRefresh): Promise<boolean>;
  /** Applies the change if the guard holds and returns the item as it was and as written; GuardFailedError otherwise. */
  update(clientId: string, change: ClientChange, guard: WriteGuard): Promise<ClientWrite>;
  /**
   * Deletes the client if the guard holds and returns it as it was; GuardFailedError otherwise.
   * Undefined when the delete landed but its answer was lost: what the item held is then unknown.
   */
  delete(clientId: string, guard: WriteGuard): Promise<ClientRecord | undefined>;
}
