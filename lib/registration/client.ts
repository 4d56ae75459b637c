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
  /** Keys of the cap counters holding one place for this client (lib/store/client-quota.ts): DELETE gives them back. */
  readonly quotaCounters?: readonly string[];
}

/** How an update treats the stored secret (its hash and, for recoverable secrets, its sealed copy). */
export type SecretChange =
  | { readonly kind: 'keep'; readonly dropSealed?: boolean }
  | { readonly kind: 'remove' }
  /** A new secret: its hash, and its sealed copy when it must stay recoverable (else any old copy goes). */
  | { readonly kind: 'replace'; readonly hash: string; readonly sealed?: string };

export interface ClientChange {
  readonly metadata?: ClientMetadata;
  readonly secret: SecretChange;
  readonly registrationTokenHash?: string;
  readonly updatedAt: number;
}

/** Conditions a write is guarded by; all must hold on the stored item. */
export interface WriteGuard {
  readonly registrationTokenHash: string;
  /** The stored secret hash must equal this (PUT that carries client_secret). */
  readonly secretHash?: string;
  /** The item holds this kind of secret. */
  readonly secret?: SecretState;
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

export interface ClientStore {
  /** Stores a new client; fails if the id exists. */
  create(record: ClientRecord): Promise<void>;
  /** Strongly consistent read. */
  find(clientId: string): Promise<ClientRecord | undefined>;
  /** Applies the change if the guard holds and returns the item as written; GuardFailedError otherwise. */
  update(clientId: string, change: ClientChange, guard: WriteGuard): Promise<ClientRecord>;
  /** Deletes the client if the guard holds and returns it as it was; GuardFailedError otherwise. */
  delete(clientId: string, guard: WriteGuard): Promise<ClientRecord>;
}
